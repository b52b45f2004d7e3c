// Every list/get response of the emulator validates against Clerk's own OpenAPI spec, vendored in
// test/fixtures/clerk-bapi (source in its README), so every clone runs this test.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";
import type { RunningEmulator } from "../../src/clerk-emulator/server.ts";
import { ROOT } from "../support/database.ts";
import { startTestEmulator } from "../support/emulator.ts";

const SPEC_FILE = process.env.CLERK_BAPI_SPEC ?? path.join(ROOT, "test/fixtures/clerk-bapi/2026-05-12.yml");

type Spec = { paths: Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }> }>>; components: { responses: Record<string, { content: Record<string, { schema: unknown }> }> } };

let spec: Spec;
let ajv: Ajv;
let emu: RunningEmulator;

before(async () => {
  spec = toJsonSchemaDialect(parse(readFileSync(SPEC_FILE, "utf8"))) as Spec;
  // OpenAPI 3.0 schema dialect: `nullable`, vendor keywords, int64 formats.
  ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(spec as object, "spec");
  emu = await startTestEmulator({ users: 120, orgs: 6, membershipsPerOrg: 5 });
});
after(async () => {
  await emu?.close();
});

/** OpenAPI 3.0's `nullable: true` becomes JSON Schema's `anyOf: [schema, {type: "null"}]` (ajv rejects `nullable` without `type`). */
function toJsonSchemaDialect(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchemaDialect);
  if (!node || typeof node !== "object") return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const converted = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, toJsonSchemaDialect(v)]));
  return nullable === true ? { anyOf: [converted, { type: "null" }] } : converted;
}

/** The schema the spec gives for `METHOD path` and `status`, as a validator. */
function validatorFor(method: string, specPath: string, status: string): ValidateFunction {
  const op = spec.paths[specPath]?.[method.toLowerCase()];
  assert.ok(op, `spec has ${method} ${specPath}`);
  let response = op.responses[status];
  assert.ok(response, `spec has a ${status} response for ${method} ${specPath}`);
  if (response.$ref) response = spec.components.responses[response.$ref.split("/").pop()!]!;
  const schema = response.content?.["application/json"]?.schema as { $ref?: string };
  assert.ok(schema, "response has a JSON schema");
  const ref = schema.$ref ? { $ref: `spec${schema.$ref}` } : JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#', '"$ref":"spec#'));
  return ajv.compile(ref);
}

async function call(method: string, urlPath: string, body?: unknown): Promise<{ status: number; contentType: string | null; json: unknown }> {
  const res = await fetch(`${emu.url}/v1${urlPath}`, {
    method,
    headers: { Authorization: `Bearer ${emu.secretKey}`, "Content-Type": "application/json", "Clerk-API-Version": "2026-05-12" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, contentType: res.headers.get("content-type"), json: await res.json() };
}

async function assertConforms(method: string, urlPath: string, specPath: string, status = "200", body?: unknown): Promise<unknown> {
  const res = await call(method, urlPath, body);
  assert.equal(res.status, Number(status), `${method} ${urlPath}: ${JSON.stringify(res.json).slice(0, 300)}`);
  assert.equal(res.contentType, "application/json");
  const validate = validatorFor(method, specPath, status);
  assert.ok(validate(res.json), `${method} ${urlPath} violates the spec: ${ajv.errorsText(validate.errors, { separator: "\n" })}`);
  return res.json;
}

test("list and count responses match the spec", async () => {
  const users = (await assertConforms("GET", "/users?limit=500", "/users")) as unknown[];
  assert.equal(users.length, 120);
  await assertConforms("GET", "/users?limit=5&order_by=%2Bcreated_at&starting_after=" + (users[0] as { id: string }).id, "/users");
  await assertConforms("GET", "/users/count", "/users/count");
  await assertConforms("GET", "/organizations?limit=500&include_members_count=true", "/organizations");
  await assertConforms("GET", "/organization_memberships?limit=500", "/organization_memberships");
  const org = [...emu.store.organizations.values()][0]!;
  await assertConforms("GET", `/organizations/${org.id}/memberships?limit=500`, "/organizations/{organization_id}/memberships");
});

test("get, create and delete responses match the spec", async () => {
  const user = [...emu.store.users.values()].find((u) => u.emails.length > 1)!;
  await assertConforms("GET", `/users/${user.id}`, "/users/{user_id}");
  await assertConforms("GET", "/instance", "/instance");
  const org = [...emu.store.organizations.values()][0]!;
  await assertConforms("GET", `/organizations/${org.id}`, "/organizations/{organization_id}");
  const created = (await assertConforms("POST", "/users", "/users", "200", { email_address: ["contract@example.com"], first_name: "Con", created_at: "2025-01-02T03:04:05Z" })) as { id: string; created_at: number };
  assert.equal(created.created_at, Date.parse("2025-01-02T03:04:05Z"), "RFC3339 in, ms out");
  const newOrg = (await assertConforms("POST", "/organizations", "/organizations", "200", { name: "Contract Org", created_by: created.id })) as { id: string };
  await assertConforms("POST", `/organizations/${newOrg.id}/memberships`, "/organizations/{organization_id}/memberships", "200", { user_id: user.id, role: "org:member" });
  await assertConforms("DELETE", `/users/${created.id}`, "/users/{user_id}");
  await assertConforms("DELETE", `/organizations/${newOrg.id}`, "/organizations/{organization_id}");
});

test("error responses use the ClerkErrors envelope", async () => {
  await assertConforms("GET", "/users/user_missing", "/users/{user_id}", "404");
  await assertConforms("GET", "/users?limit=501", "/users", "422");
  await assertConforms("GET", "/organizations/org_missing", "/organizations/{organization_id}", "404");
  await assertConforms("POST", "/organizations", "/organizations", "422", { slug: "no-name" });
});

test("cursor pagination follows the spec's 422 rules", async () => {
  const first = (await call("GET", "/users?limit=1&order_by=%2Bcreated_at")).json as { id: string }[];
  const cursor = first[0]!.id;
  assert.equal((await call("GET", `/users?starting_after=${cursor}&order_by=username`)).status, 422);
  assert.equal((await call("GET", `/users?starting_after=${cursor}&offset=10&order_by=%2Bcreated_at`)).status, 422);
  const rest: string[] = [cursor];
  let after = cursor;
  for (;;) {
    const page = (await call("GET", `/users?limit=50&order_by=%2Bcreated_at&starting_after=${after}`)).json as { id: string }[];
    rest.push(...page.map((u) => u.id));
    if (page.length < 50) break;
    after = page.at(-1)!.id;
  }
  assert.equal(new Set(rest).size, emu.store.users.size, "the cursor walks every user once");
});

test("the validator is not vacuous: a user missing fields or with a charset fails", async () => {
  const validate = validatorFor("GET", "/users/{user_id}", "200");
  const user = (await call("GET", `/users/${[...emu.store.users.keys()][0]}`)).json as Record<string, unknown>;
  assert.ok(validate(user));
  const { email_addresses: _dropped, ...missing } = user;
  assert.equal(validate(missing), false);
  assert.equal(validate({ ...user, surprise: 1 }), false, "additionalProperties: false is enforced");
  assert.equal(validate({ ...user, created_at: "2025-01-01" }), false, "timestamps are integers");
});
