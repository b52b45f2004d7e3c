// handleClerkWebhook configured as the CLI is, in an app's own server: it reads the app's
// clerk-resync.config.ts; where the file cannot be loaded at run time (as in a bundled route), the
// first request fails naming the fix, before anything is opened or written.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "../support/database.ts";

test("a config file that cannot be loaded: the route's first request fails naming clerkWebhookRoute", async () => {
  const app = mkdtempSync(path.join(tmpdir(), "clerk-resync-route-"));
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
  mkdirSync(path.join(app, "node_modules"));
  symlinkSync(ROOT, path.join(app, "node_modules/clerk-resync"));
  // What a bundler leaves behind: an import the running server cannot resolve.
  writeFileSync(path.join(app, "clerk-resync.config.ts"), `import { mirror } from "@/lib/mirror";\nexport default { mirror };\n`);
  writeFileSync(
    path.join(app, "server.mjs"),
    `import { handleClerkWebhook } from "clerk-resync/webhooks";
const request = () => new Request("http://localhost/api/webhooks/clerk", { method: "POST", body: "{}" });
for (let i = 0; i < 2; i++) await handleClerkWebhook(request()).then(() => console.log("answered"), (err) => console.log(JSON.stringify(err.name + ": " + err.message)));
`,
  );
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ["server.mjs"], { cwd: app, env: { PATH: process.env.PATH, HOME: process.env.HOME, CLERK_WEBHOOK_SIGNING_SECRET: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none" } }, (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
  const lines = out.trim().split("\n");
  assert.equal(lines.length, 2, out);
  for (const line of lines.map((l) => JSON.parse(l) as string)) {
    assert.match(line, /^ConfigError: clerk-resync\.config\.ts could not be loaded: [^]*@\/lib\/mirror/);
    assert.match(line, /In a bundled route, import the config and pass it: `export const POST = clerkWebhookRoute\(config\)` \(clerk-resync\/webhooks\)\.$/);
  }
});
