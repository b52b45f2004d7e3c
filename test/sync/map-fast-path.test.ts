// The map stage checks well-formed records by hand and leaves the rest to zod. Bound here: over
// thousands of records, each well formed or broken in one to three fields, the mapper gives exactly
// what zod alone gives (the same row, or the same refusal), under every mapping option.
import assert from "node:assert/strict";
import { test } from "node:test";
import { UNMAPPED_BY_DEFAULT, USER, ORGANIZATION, MEMBERSHIP } from "../../src/mirror/columns.ts";
import { mirrorFromMapping } from "../../src/mirror/mapping.ts";
import { createRecordMapper, type MapOptions } from "../../src/sync/map.ts";
import { seededRandom } from "../../src/clerk-emulator/ids.ts";

/** Values a broken field may hold: every JSON type, edge numbers, near-miss ids and metadata zod must judge. */
const ODD_VALUES: unknown[] = [
  undefined, null, "", "x", "user_", "user_ok", "org_ok", "orgmem_ok", "user_bad id", "ORG_1", 0, -1, 1.5, 2 ** 60, Number.NaN, Infinity,
  true, false, [], ["a"], [1], [null], {}, { id: "idn_1" }, { id: 5 }, { userId: "user_x" }, { id: "org_y" }, { a: "\u0000" }, { "\u0000": 1 },
  { b: 1, a: { d: [1, { z: 2, y: "ü" }], c: null } }, { "10": 1, "2": 2, b: 3 }, JSON.parse('{"__proto__":{"x":1},"a":1}'), [{}], [{ id: null, emailAddress: "a@b" }],
];

const user = () => ({
  id: "user_2abc",
  externalId: null,
  firstName: "Zoë",
  lastName: "日本",
  username: "zoe",
  imageUrl: "https://img/1",
  primaryEmailAddressId: "idn_2",
  emailAddresses: [
    { id: "idn_1", emailAddress: "old@x.test" },
    { id: "idn_2", emailAddress: "primary@x.test" },
  ],
  primaryPhoneNumberId: "idn_p",
  phoneNumbers: [{ id: "idn_p", phoneNumber: "+15550000001" }],
  publicMetadata: { plan: "pro", seats: 3, nested: { b: [1, 2], a: true } },
  privateMetadata: { secret: "s" },
  unsafeMetadata: { theme: "dark" },
  banned: false,
  locked: false,
  lastSignInAt: 1_700_000_000_100,
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_500,
});
const organization = () => ({
  id: "org_2abc",
  name: "Acme",
  slug: "acme",
  imageUrl: "https://img/o",
  publicMetadata: { tier: "gold" },
  privateMetadata: {},
  maxAllowedMemberships: 5,
  createdBy: "user_2abc",
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_500,
});
const membership = () => ({
  id: "orgmem_2abc",
  role: "org:admin",
  permissions: ["org:sys_memberships:read", "org:sys_profile:manage"],
  publicMetadata: {},
  privateMetadata: { note: "n" },
  createdAt: 1_700_000_000_000,
  updatedAt: 1_700_000_000_500,
  organization: { id: "org_2abc" },
  publicUserData: { userId: "user_2abc" },
});

/** Breaks one to three fields (or an item of a list) of `record`: a removed key or an odd value. */
function broken(record: Record<string, unknown>, rnd: () => number): unknown {
  const out: Record<string, unknown> = structuredClone(record);
  const keys = Object.keys(out);
  for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) {
    const key = keys[Math.floor(rnd() * keys.length)]!;
    const odd = structuredClone(ODD_VALUES[Math.floor(rnd() * ODD_VALUES.length)]);
    const list = out[key];
    if (Array.isArray(list) && list.length && rnd() < 0.5) {
      const i = Math.floor(rnd() * list.length);
      const item = list[i];
      if (item && typeof item === "object" && rnd() < 0.7) {
        const itemKeys = Object.keys(item);
        (item as Record<string, unknown>)[itemKeys[Math.floor(rnd() * itemKeys.length)]!] = odd;
      } else list[i] = odd;
    } else if (out[key] && typeof out[key] === "object" && !Array.isArray(out[key]) && rnd() < 0.3) {
      (out[key] as Record<string, unknown>)[rnd() < 0.5 ? "id" : "userId"] = odd;
    } else if (rnd() < 0.2) delete out[key];
    else out[key] = odd;
  }
  return rnd() < 0.02 ? structuredClone(ODD_VALUES[Math.floor(rnd() * ODD_VALUES.length)]) : out;
}

const everyUserField = [...USER.compared, ...UNMAPPED_BY_DEFAULT.users].map((c) => c.field);
const OPTION_SETS: [string, Omit<MapOptions, "fastPath">][] = [
  ["defaults", { privateMetadata: false }],
  ["private metadata mirrored", { privateMetadata: true }],
  [
    "an app keeping unsafe metadata and picking values",
    {
      privateMetadata: true,
      mirror: mirrorFromMapping({
        users: { fields: { ...Object.fromEntries(everyUserField.map((f) => [f, f])), "publicMetadata.plan": "plan", "unsafeMetadata.theme": "theme" } },
        organizations: { fields: { ...Object.fromEntries(ORGANIZATION.compared.map((c) => [c.field, c.field])), "publicMetadata.tier": "tier" } },
        memberships: { fields: { ...Object.fromEntries(MEMBERSHIP.compared.map((c) => [c.field, c.field])), "privateMetadata.note": "note" } },
      }),
    },
  ],
];

for (const [name, options] of OPTION_SETS) {
  test(`the fast path maps every record exactly as zod alone does (${name})`, () => {
    // Seeded: the same records on every run, so a failure reproduces.
    const rnd = seededRandom(name.length * 7919);
    const seen = { rows: 0, refused: 0 };
    const [mapFast, mapReference] = [createRecordMapper(options), createRecordMapper({ ...options, fastPath: false })];
    for (const [entity, make] of [["user", user], ["organization", organization], ["membership", membership]] as const) {
      for (let i = 0; i < 3000; i++) {
        const record = i === 0 ? make() : broken(make(), rnd);
        const fast = mapFast(entity, record);
        const reference = mapReference(entity, record);
        assert.deepStrictEqual(fast, reference, `${entity} ${JSON.stringify(record)}`);
        if ("row" in fast) seen.rows++;
        else seen.refused++;
      }
    }
    // Both outcomes are well represented, so the comparison covers accepting and refusing.
    assert.ok(seen.rows > 1000 && seen.refused > 1000, JSON.stringify(seen));
  });
}
