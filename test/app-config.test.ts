// The app's configuration: a clerk-resync.config.ts (loaded through tsx), .mjs, or the package.json
// key; configured twice, invalid, or without a default export, it is refused with what to change.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { loadAppConfig, readPackageJsonConfig } from "../src/app-config.ts";
import { loadConfig } from "../src/config.ts";
import { ConfigError } from "../src/errors.ts";
import { DEFAULT_MIRROR } from "../src/mirror/columns.ts";
import { ROOT } from "./support/database.ts";

const DEFINE_CONFIG = JSON.stringify(path.join(ROOT, "src/define-config.ts"));

function app(files: Record<string, string>, pkg: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), "clerk-resync-app-config-"));
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "app", type: "module", ...pkg }));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

test("clerk-resync.config.ts with defineConfig and TypeScript syntax: its tables reach the config", async () => {
  const dir = app({
    "clerk-resync.config.ts": `import { defineConfig, type TableClass } from ${DEFINE_CONFIG};\nconst kept: TableClass = "keep";\nexport default defineConfig({ tables: { FeatureFlag: kept, McpServer: "seeded" } });\n`,
  });
  const loaded = await loadAppConfig(dir);
  assert.deepEqual(loaded, { tables: { FeatureFlag: "keep", McpServer: "seeded" }, mirror: DEFAULT_MIRROR, source: "clerk-resync.config.ts" });
  const config = loadConfig({}, dir, loaded);
  assert.deepEqual(config.tables, { FeatureFlag: "keep", McpServer: "seeded" });
  assert.equal(config.configSource, "clerk-resync.config.ts");
});

test("clerk-resync.config.mjs is imported as it is; with no file, the package.json key; with neither, defaults", async () => {
  assert.deepEqual((await loadAppConfig(app({ "clerk-resync.config.mjs": `export default { tables: { Audit: "disposable" } };\n` }))).tables, { Audit: "disposable" });
  assert.deepEqual(await loadAppConfig(app({}, { clerkResync: { tables: { Audit: "keep" } } })), { tables: { Audit: "keep" }, mirror: DEFAULT_MIRROR, source: 'package.json "clerkResync"' });
  assert.deepEqual(await loadAppConfig(app({})), { tables: {}, mirror: DEFAULT_MIRROR, source: "defaults" });
});

test("refused with what to change: configured twice, an unknown class, an unknown key, no default export, a file skipped, a file that throws", async () => {
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ["twice", () => loadAppConfig(app({ "clerk-resync.config.mjs": "export default {};\n" }, { clerkResync: { tables: {} } })), /configured twice: in clerk-resync\.config\.mjs and in package\.json "clerkResync"\. Move the package\.json key into clerk-resync\.config\.mjs/],
    ["two files", () => loadAppConfig(app({ "clerk-resync.config.mjs": "export default {};\n", "clerk-resync.config.ts": "export default {};\n" })), /Both clerk-resync\.config\.ts and clerk-resync\.config\.mjs .*keep one/],
    ["bad class", () => loadAppConfig(app({ "clerk-resync.config.mjs": `export default { tables: { Audit: "kept" } };\n` })), /clerk-resync\.config\.mjs is invalid \(tables\.Audit: Invalid option: expected one of "seeded"\|"keep"\|"disposable"\)/],
    ["unknown key", () => loadAppConfig(app({}, { clerkResync: { tabels: {} } })), /package\.json "clerkResync" is invalid \(\(top level\): Unrecognized key: "tabels" \(did you mean "tables"\?\)\)/],
    ["no default", () => loadAppConfig(app({ "clerk-resync.config.mjs": "export const tables = {};\n" })), /has no default export: end it with `export default defineConfig\(\{ … \}\)`/],
    ["read without loading the file", async () => readPackageJsonConfig(app({ "clerk-resync.config.mjs": "export default {};\n" })), /clerk-resync\.config\.mjs in .* must be loaded \(loadAppConfig\), not skipped/],
    ["throws", () => loadAppConfig(app({ "clerk-resync.config.ts": "throw new Error('boom in config');\nexport default {};\n" })), /clerk-resync\.config\.ts could not be loaded: boom in config/],
  ];
  for (const [label, load, message] of cases) {
    await assert.rejects(load, (err: unknown) => {
      assert.ok(err instanceof ConfigError, `${label}: ${String(err)}`);
      assert.match(err.message, message, label);
      return true;
    });
  }
});

test("mirror: the app's tables, Clerk-id columns, app keys and fields reach the config; a field clerk-resync does not keep is refused by name", async () => {
  const mapping = {
    users: { table: "users", clerkId: "clerkId", primaryKey: "id", fields: { email: "email", updatedAt: "updated_at" } },
    memberships: { table: "Member", clerkId: "clerkMembershipId", fields: { userId: "userId", organizationId: "orgId" } },
  };
  const { mirror } = await loadAppConfig(app({ "clerk-resync.config.ts": `import { defineConfig } from ${DEFINE_CONFIG};\nexport default defineConfig({ mirror: ${JSON.stringify(mapping)} });\n` }));
  assert.equal(mirror.users.table, "users");
  assert.deepEqual(mirror.users.primaryKey, { column: "id" });
  assert.deepEqual(mirror.users.compared.map((c) => [c.field, c.column]), [["email", "email"], ["updatedAt", "updated_at"]]);
  assert.deepEqual(mirror.memberships.compared.map((c) => [c.field, c.column, c.refers]), [["userId", "userId", "users"], ["organizationId", "orgId", undefined]], "userId holds the app's Int key; organizations keep Clerk ids as keys");
  assert.equal(mirror.organizations, DEFAULT_MIRROR.organizations);
  await assert.rejects(loadAppConfig(app({}, { clerkResync: { mirror: { users: { fields: { emailAddress: "email" } } } } })), (err: Error) => err instanceof ConfigError && /mirror\.users\.fields\.emailAddress is not a Clerk field .*email, phoneNumber/.test(err.message));
  // One value out of metadata: a metadata field the entity has, then a key path.
  const picked = await loadAppConfig(app({}, { clerkResync: { mirror: { users: { fields: { "unsafeMetadata.onboarding.done": "onboarded" } } } } }));
  assert.deepEqual(picked.mirror.users.compared, [{ field: "unsafeMetadata.onboarding.done", column: "onboarded", type: "jsonb", pick: { from: "unsafeMetadata", path: ["onboarding", "done"] } }]);
  for (const field of ["publicMetadata.", "email.domain", "unsafeMetadata"]) {
    const entity = field === "unsafeMetadata" ? "organizations" : "users";
    await assert.rejects(loadAppConfig(app({}, { clerkResync: { mirror: { [entity]: { fields: { [field]: "x" } } } } })), (err: Error) => err instanceof ConfigError && err.message.includes(`mirror.${entity}.fields.${field} is not a Clerk field`), field);
  }
  await assert.rejects(loadAppConfig(app({}, { clerkResync: { mirror: { users: { clerkID: "clerkUserId" } } } })), /mirror\.users: Unrecognized key: "clerkID" \(did you mean "clerkId"\?\)/);
  await assert.rejects(loadAppConfig(app({}, { clerkResync: { mirror: { memberships: { fields: { role: "role" } } } } })), /must map userId/);
  await assert.rejects(loadAppConfig(app({}, { clerkResync: { mirror: { users: { clerkId: "id", primaryKey: "id" } } } })), /leave primaryKey out/);
});
