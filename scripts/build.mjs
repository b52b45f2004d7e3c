// `pnpm build` (and prepack): src → dist as JavaScript with .d.ts, so the installed bin starts
// without compiling TypeScript. Plain .mjs: it must run before anything is compiled. Built aside
// and swapped in, so a suite already running from dist/ (another test run) never sees it half-built.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const next = `dist.next-${process.pid}`;
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", next], { stdio: "inherit" });
// Not TypeScript: preloaded into the Prisma CLI child (see src/db/prisma-cli.ts).
copyFileSync("src/db/prisma-cli-preload.cjs", `${next}/db/prisma-cli-preload.cjs`);
chmodSync(`${next}/cli.js`, 0o755);
const old = `dist.old-${process.pid}`;
try {
  renameSync("dist", old);
} catch {
  // no dist yet
}
renameSync(next, "dist");
rmSync(old, { recursive: true, force: true });
