// PostgreSQL: the new database is a sibling schema of the live one, in the same database, and the
// switch renames both in one transaction. A sibling schema needs no CREATEDB right and keeps the
// app's DATABASE_URL as it is; a sibling database could not be renamed in while the app is
// connected. (docs/reset.md says more.)
import { connectDatabase, type Database } from "../db/database.ts";
import { schemaFromUrl, TOOL_SESSIONS } from "../db/pg-config.ts";
import { SafetyError, StepError } from "../errors.ts";
import { quote } from "../sidecar/row-codec.ts";
import { carrySequences } from "../sidecar/sequences.ts";
import { changedTables, readFingerprint, type Fingerprint } from "./fingerprint.ts";
import type { BuildTarget, SwitchResult, Switcher, UndoResult } from "./target.ts";

const LOCK_TIMEOUT = "10s";

export function schemaNames(url: string) {
  const live = schemaFromUrl(url) ?? "public";
  return { live, build: `${live}_clerk_resync_build`, previous: `${live}_clerk_resync_previous`, undone: `${live}_clerk_resync_undone` };
}

/** The same URL with Prisma's `?schema=` set to `schema`. */
export function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set("schema", schema);
  return u.toString();
}

export function schemaSwitcher(live: Database): Switcher {
  const names = schemaNames(live.url);
  return {
    target: () => schemaTarget(live, names),
    async undo(): Promise<UndoResult> {
      const client = await live.pool.connect();
      try {
        await client.query("BEGIN");
        await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
        const { rows } = await client.query<{ note: string | null }>(`SELECT obj_description(oid, 'pg_namespace') AS note FROM pg_namespace WHERE nspname = $1`, [names.previous]);
        if (!rows.length) throw new SafetyError(`Nothing to undo: there is no previous database (schema ${names.previous}). It is kept only until the next reset, and an undo uses it up.`);
        await client.query(`ALTER SCHEMA ${quote(names.live)} RENAME TO ${quote(names.undone)}`);
        await client.query(`ALTER SCHEMA ${quote(names.previous)} RENAME TO ${quote(names.live)}`);
        await client.query(`COMMENT ON SCHEMA ${quote(names.live)} IS NULL`);
        await client.query(`DROP SCHEMA ${quote(names.undone)} CASCADE`);
        await client.query("COMMIT");
        const closedSessions = await closeOtherSessions(client);
        return { restored: `schema ${names.live} as it was before the reset`, resetAt: parseNote(rows[0]!.note)?.resetAt ?? null, closedSessions };
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
  };
}

function schemaTarget(live: Database, names: ReturnType<typeof schemaNames>): BuildTarget {
  const buildUrl = withSchema(live.url, names.build);
  return {
    name: `schema ${names.build}`,
    async checkRights() {
      const { rows } = await live.pool.query<{ create: boolean; owner: boolean; role: string; db: string }>(
        `SELECT has_database_privilege(current_database(), 'CREATE') AS create, coalesce(pg_has_role(n.nspowner, 'USAGE'), false) AS owner,
                current_user AS role, current_database() AS db
           FROM (SELECT 1) x LEFT JOIN pg_namespace n ON n.nspname = $1`,
        [names.live],
      );
      const r = rows[0]!;
      const fixes = [
        ...(r.create ? [] : [`GRANT CREATE ON DATABASE ${quote(r.db)} TO ${quote(r.role)};`]),
        ...(r.owner ? [] : [`ALTER SCHEMA ${quote(names.live)} OWNER TO ${quote(r.role)};`]),
      ];
      if (fixes.length) {
        throw new SafetyError(
          `db:reset builds the new database as a schema beside ${names.live} and switches it in by renaming both, which needs the right to create schemas in ${r.db} and to own schema ${names.live}; ${r.role} lacks ${fixes.length === 2 ? "both" : r.create ? "the second" : "the first"}. ` +
            `As the database owner or a superuser, run: ${fixes.join(" ")} Nothing was changed.`,
        );
      }
    },
    async prepare() {
      await live.pool.query(`DROP SCHEMA IF EXISTS ${quote(names.build)} CASCADE`);
      return buildUrl;
    },
    open: () => connectDatabase(buildUrl, false),
    async switchIn(fingerprint: Fingerprint, keepPrevious: boolean): Promise<SwitchResult> {
      const client = await live.pool.connect();
      try {
        await client.query("BEGIN");
        await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
        // Writers wait (or the lock times out) while the live data is compared with the backup's.
        const tables = [...fingerprint.keys()].map(quote);
        if (tables.length) await client.query(`LOCK TABLE ${tables.join(", ")} IN SHARE MODE`);
        const changed = changedTables(fingerprint, await readFingerprint(client));
        if (changed.length) {
          throw new StepError(
            `The live database changed while the new one was built (${changed.join(", ")}): switching would lose those writes. Nothing was changed.`,
            "run pnpm db:reset again (stop whatever writes to the database — the app, a webhook receiver — if it keeps happening)",
          );
        }
        // Values the live sequences handed out while the new database was built (an insert rolled
        // back, or made and deleted) are not handed out again.
        await carrySequences(client, names.live, names.build);
        await client.query(`DROP SCHEMA IF EXISTS ${quote(names.previous)} CASCADE`);
        await client.query(`ALTER SCHEMA ${quote(names.live)} RENAME TO ${quote(names.previous)}`);
        await client.query(`ALTER SCHEMA ${quote(names.build)} RENAME TO ${quote(names.live)}`);
        await client.query(`COMMENT ON SCHEMA ${quote(names.previous)} IS ${literal(JSON.stringify({ resetAt: new Date().toISOString() }))}`);
        if (!keepPrevious) await client.query(`DROP SCHEMA ${quote(names.previous)} CASCADE`);
        await client.query("COMMIT");
        return { previous: keepPrevious ? `schema ${names.previous}` : null, closedSessions: await closeOtherSessions(client) };
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async discard() {
      await live.pool.query(`DROP SCHEMA IF EXISTS ${quote(names.build)} CASCADE`);
    },
  };
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

function parseNote(note: string | null): { resetAt?: string } | undefined {
  try {
    return note ? (JSON.parse(note) as { resetAt?: string }) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Other sessions on this database (the app's pool) may hold prepared statements on the tables now
 * in the previous schema: they are closed, and reconnect to the new data. clerk-resync's own
 * sessions are spared: they prepare nothing, and while a reset runs they either wait for its writer
 * lock (a resync --wait, a watch tick) or answer 503 (the webhook receiver).
 */
async function closeOtherSessions(client: { query: Database["pool"]["query"] }): Promise<number> {
  const { rows } = await client.query<{ closed: boolean }>(
    `SELECT pg_terminate_backend(pid) AS closed FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
        AND coalesce(application_name, '') !~ $1`,
    [TOOL_SESSIONS],
  );
  return rows.filter((r) => r.closed).length;
}
