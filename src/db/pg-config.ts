import type { PoolConfig } from "pg";

/**
 * Turns a postgres URL into discrete pg fields. PrismaPg must get fields, not a
 * `connectionString`: with a connection string its shadow database for `migrate dev` would
 * point at the main database.
 */
export function pgConfigFromUrl(url: string): PoolConfig {
  const u = new URL(url);
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") {
    throw new Error(`DATABASE_URL must be a postgres:// or postgresql:// URL, got "${u.protocol}"`);
  }
  const sslmode = u.searchParams.get("sslmode");
  return {
    host: decodeURIComponent(u.hostname) || "127.0.0.1",
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres",
    ssl: sslmode && sslmode !== "disable" ? { rejectUnauthorized: sslmode === "verify-full" } : undefined,
  };
}
