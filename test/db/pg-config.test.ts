// DATABASE_URL → pg fields, by pg's own parser: what Prisma users put in their URLs must reach pg.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { pgConfigFromUrl, schemaFromUrl } from "../../src/db/pg-config.ts";
import { ConfigError } from "../../src/errors.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";

test("a socket URL keeps its socket folder and port instead of falling back to 127.0.0.1:5432", () => {
  const c = pgConfigFromUrl("postgresql://app@/appdb?host=/var/run/postgresql&port=5433");
  assert.equal(c.host, "/var/run/postgresql");
  assert.equal(c.port, 5433);
  assert.equal(c.database, "appdb");
  assert.equal(c.user, "app");
  const encoded = pgConfigFromUrl("postgresql://app@%2Fvar%2Frun%2Fpostgresql/appdb");
  assert.equal(encoded.host, "/var/run/postgresql");
});

test("host, port, credentials (percent-decoded) and defaults", () => {
  const c = pgConfigFromUrl("postgres://us%40er:p%3Ass@db.example:6543/my%20db");
  assert.deepEqual([c.host, c.port, c.user, c.password, c.database], ["db.example", 6543, "us@er", "p:ss", "my db"]);
  const d = pgConfigFromUrl("postgresql://127.0.0.1");
  assert.deepEqual([d.host, d.port, d.database, d.user, d.password], ["127.0.0.1", 5432, "postgres", undefined, undefined]);
});

test("application_name, options and ?schema= reach pg; Prisma-only parameters do not", () => {
  const c = pgConfigFromUrl("postgresql://u@h/db?application_name=myapp&options=-c%20statement_timeout%3D5000&schema=tenant&connection_limit=5&pool_timeout=10");
  assert.equal(c.application_name, "myapp");
  assert.equal(c.options, "-c statement_timeout=5000 -c search_path=tenant");
  assert.equal("schema" in c, false);
  assert.equal("connection_limit" in c, false);
  assert.equal(schemaFromUrl("postgresql://u@h/db?a=1&schema=ten%20ant"), "ten ant");
  // Prisma keeps a schema name's case: quoted, or PostgreSQL would fold MyApp to myapp.
  assert.equal(pgConfigFromUrl("postgresql://u@h/db?schema=MyApp").options, '-c search_path="MyApp"');
  assert.equal(pgConfigFromUrl("postgresql://u@h/db?schema=ten%20ant").options, '-c search_path="ten\\ ant"');
  assert.equal(schemaFromUrl("postgresql://u@h/db"), undefined);
});

test("sslmode has libpq's meaning: require encrypts without verifying, disable is off", () => {
  assert.deepEqual(pgConfigFromUrl("postgresql://h/db?sslmode=require").ssl, { rejectUnauthorized: false });
  assert.equal(pgConfigFromUrl("postgresql://h/db?sslmode=disable").ssl, false);
  assert.equal(pgConfigFromUrl("postgresql://h/db").ssl, undefined);
});

test("a config problem is a ConfigError naming DATABASE_URL", () => {
  for (const url of ["mysql://h/db", "postgresql://h:99999/db", "postgresql://h/db?sslmode=verify-ca"]) {
    assert.throws(() => pgConfigFromUrl(url), (err) => err instanceof ConfigError && /DATABASE_URL/.test(err.message), url);
  }
});

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(async () => {
  await t.close();
});

test("a live connection gets the URL's application_name and schema search_path", { skip: !process.env.TEST_DATABASE_URL && "PGlite's socket server ignores startup parameters" }, async () => {
  const url = new URL(t.url);
  url.searchParams.set("application_name", "clerk-resync-test");
  url.searchParams.set("schema", "tenant");
  const client = new pg.Client(pgConfigFromUrl(url.toString()));
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT current_setting('application_name') AS app, current_setting('search_path') AS path`);
    assert.deepEqual(rows[0], { app: "clerk-resync-test", path: "tenant" });
  } finally {
    await client.end();
  }
});

test("a schema named with capitals or a space is the connection's schema, as Prisma names it", { skip: !process.env.TEST_DATABASE_URL && "PGlite's socket server ignores startup parameters" }, async () => {
  for (const schema of ["MyApp", "ten ant"]) {
    await t.db.pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const url = new URL(t.url);
    url.searchParams.set("schema", schema);
    const client = new pg.Client(pgConfigFromUrl(url.toString()));
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT current_schema() AS schema`);
      assert.equal(rows[0].schema, schema);
    } finally {
      await client.end();
      await t.db.pool.query(`DROP SCHEMA "${schema}"`);
    }
  }
});

test("a socket URL connects through the server's Unix socket", { skip: !process.env.TEST_DATABASE_URL && "PGlite is served on TCP only" }, async () => {
  const { rows } = await t.db.pool.query(`SELECT split_part(current_setting('unix_socket_directories'), ',', 1) AS dir, current_setting('port') AS port, current_user AS "user", current_database() AS db`);
  const { dir, port, user, db } = rows[0] as { dir: string; port: string; user: string; db: string };
  const client = new pg.Client(pgConfigFromUrl(`postgresql://${user}@/${db}?host=${encodeURIComponent(dir.trim())}&port=${port}`));
  await client.connect();
  try {
    // inet_client_addr() is NULL on a Unix-socket connection.
    const r = await client.query(`SELECT inet_client_addr() AS addr`);
    assert.equal(r.rows[0].addr, null);
  } finally {
    await client.end();
  }
});
