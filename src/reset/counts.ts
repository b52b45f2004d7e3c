import type pg from "pg";

export interface TableCounts {
  users: number;
  organizations: number;
  memberships: number;
  /** Org-local rows (the sidecar's content). */
  customPrompts: number;
  customResources: number;
  services: number;
}

/** Row counts of the tables a reset must bring back; zeros for a database not migrated yet. */
export async function isMigrated(pool: pg.Pool): Promise<boolean> {
  const { rows } = await pool.query<{ migrated: boolean }>(`SELECT to_regclass('"OrganizationService"') IS NOT NULL AS migrated`);
  return rows[0]?.migrated === true;
}

export async function countTables(pool: pg.Pool): Promise<TableCounts> {
  if (!(await isMigrated(pool))) return { users: 0, organizations: 0, memberships: 0, customPrompts: 0, customResources: 0, services: 0 };
  const res = await pool.query<Record<keyof TableCounts, string>>(`SELECT
    (SELECT count(*) FROM "User") AS users,
    (SELECT count(*) FROM "Organization") AS organizations,
    (SELECT count(*) FROM "OrganizationMembership") AS memberships,
    (SELECT count(*) FROM "Prompt" WHERE "organizationId" IS NOT NULL) AS "customPrompts",
    (SELECT count(*) FROM "Resource" WHERE "organizationId" IS NOT NULL) AS "customResources",
    (SELECT count(*) FROM "OrganizationService") AS services`);
  const r = res.rows[0]!;
  return {
    users: Number(r.users),
    organizations: Number(r.organizations),
    memberships: Number(r.memberships),
    customPrompts: Number(r.customPrompts),
    customResources: Number(r.customResources),
    services: Number(r.services),
  };
}
