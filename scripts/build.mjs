// `pnpm build` (and prepack): src → dist as JavaScript with .d.ts, so the installed bin starts
// without compiling TypeScript. Plain .mjs: it must run before anything is compiled.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
rmSync("dist", { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
// Not TypeScript: preloaded into the Prisma CLI child (see src/db/prisma-cli.ts).
copyFileSync("src/db/prisma-cli-preload.cjs", "dist/db/prisma-cli-preload.cjs");
chmodSync("dist/cli.js", 0o755);
