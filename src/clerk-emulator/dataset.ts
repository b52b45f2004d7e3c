import { seededRandom } from "./ids.ts";
import type { EmulatorStore } from "./store.ts";

export interface DatasetOptions {
  users: number;
  orgs: number;
  membershipsPerOrg: number;
  seed: number;
}

const FIRST = ["Ada", "José", "Zoë", "Øyvind", "Chloé", "Amara", "Łukasz", "Sofía", "Yuki", "Nguyễn", "Oluwaseun", "Maël", "Björk", "Priya", "Ángel", "Dmitri", "李", "Fatima", "Grace", "Søren"];
const LAST = ["Lovelace", "Müller", "Núñez", "O'Brien", "García", "Kowalski", "山田", "Dubois", "Okafor", "Ivanova", "Schröder", "Smith", "da Silva", "Van der Berg", "Çelik", "Ng", "Østergaard", "Haddad", "Kim", "Rossi"];
const ORG_WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent", "Wonka", "Aperture", "Massive", "Nakatomi"];
const ORG_KINDS = ["Labs", "Industries", "GmbH", "Studio", "Collective", "& Co", "Société", "株式会社", "Ventures", "Works"];
const NICKNAMES = ["Zoë 🚀", "山田さん", "Ørjan", "L'équipe", "Ωmega", "\"quoted\" \\ back", "emoji 👩‍💻", "tab\there", "Ünïcødé"];
const DEPARTMENTS = ["Forschung & Entwicklung", "営業", "Ventas", "R&D", "Ops"];
const ROLE_WEIGHTS: [string, number][] = [["org:member", 0.7], ["org:admin", 0.12], ["org:billing", 0.08], ["org:viewer", 0.1]];

/** About 9 KB of UTF-8 (4800 characters): metadata near the size apps store. */
const LARGE_NOTE = "Ünïcødé ✓ 日本語 — ".repeat(300);

/**
 * Fills `store` with a deterministic dataset (same options → same ids and content): users with
 * several emails and a random primary, phone-only and username-only users, unicode names,
 * orgs with and without explicit slugs and images, several roles, metadata. created_at values
 * are spread over two years, in creation order. A second random stream adds what apps read
 * (external ids, banned/locked users, sign-in times, unicode, nested and ~8 KB metadata, creators,
 * membership limits), so the first stream's choices stay as they were.
 */
export function generateDataset(store: EmulatorStore, options: DatasetOptions): { users: number; orgs: number; memberships: number } {
  const rnd = seededRandom(options.seed);
  const extra = seededRandom(options.seed ^ 0x5eed);
  const richer = (meta: Record<string, unknown>, i: number): Record<string, unknown> => {
    const x = extra();
    if (i % 500 === 7) return { ...meta, notes: LARGE_NOTE, nested: { list: [1, "zwei", null, { drei: true }] } };
    if (x < 0.3) return { ...meta, nickname: NICKNAMES[i % NICKNAMES.length], tags: ["a", "ß", "日本"], missing: null, nested: { deep: { n: i, f: 1.5 } } };
    return meta;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const base = Date.UTC(2024, 0, 1);
  const span = 2 * 365 * 24 * 3600 * 1000;
  const total = options.users + options.orgs;
  let tick = 0;
  const nextCreatedAt = () => base + Math.floor((span * ++tick) / (total + 1));

  const userIds: string[] = [];
  for (let i = 0; i < options.users; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const r = rnd();
    const local = `${first}.${last}`.normalize("NFKD").replace(/[^a-zA-Z.]/g, "").toLowerCase() || "user";
    // ~8% phone-only, ~4% username-only; the rest have 1-3 emails.
    const emailCount = r < 0.08 || (r >= 0.08 && r < 0.12) ? 0 : 1 + Math.floor(rnd() * 3);
    const emails = Array.from({ length: emailCount }, (_, k) => `${local}.${i}${k ? `+${k}` : ""}@${pick(["example.com", "example.org", "mail.test"])}`);
    const externalId = extra() < 0.3 ? `ext-${i}-${["crm", "ldap", "stripe"][i % 3]}` : null;
    const user = store.createUser({
      externalId,
      firstName: rnd() < 0.95 ? first : null,
      lastName: rnd() < 0.9 ? last : null,
      username: r >= 0.08 && r < 0.12 ? `${local.replace(/\./g, "_")}_${i}` : rnd() < 0.5 ? `u${i}_${pick(["dev", "ops", "pm", "qa"])}` : null,
      emailAddresses: emails,
      phoneNumbers: r < 0.08 || rnd() < 0.15 ? [`+1555${String(1_000_000 + i).slice(-7)}`] : [],
      imageUrl: rnd() < 0.4 ? `https://img.example.com/u/${i}.png` : null,
      publicMetadata: richer(rnd() < 0.5 ? { plan: pick(["free", "pro", "team"]), beta: rnd() < 0.2 } : {}, i),
      privateMetadata: rnd() < 0.2 ? { crmId: `crm-${i}`, apiToken: `tok_${i}` } : {},
      passwordEnabled: rnd() < 0.6,
      createdAt: nextCreatedAt(),
    });
    if (user.emails.length > 1) user.primaryEmailId = pick(user.emails).id;
    const flags = extra();
    user.banned = flags < 0.03;
    user.locked = flags >= 0.03 && flags < 0.05;
    user.lastSignInAt = extra() < 0.7 ? user.createdAt + Math.floor(extra() * 30 * 24 * 3600 * 1000) : null;
    userIds.push(user.id);
  }

  let memberships = 0;
  for (let j = 0; j < options.orgs; j++) {
    const name = `${pick(ORG_WORDS)} ${pick(ORG_KINDS)} ${j + 1}`;
    const org = store.createOrganization({
      name,
      slug: rnd() < 0.7 ? `${name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}-${j + 1}` : null,
      imageUrl: rnd() < 0.5 ? `https://img.example.com/o/${j}.png` : null,
      publicMetadata: richer(rnd() < 0.5 ? { tier: pick(["startup", "enterprise"]), seats: 5 + Math.floor(rnd() * 100) } : {}, j),
      privateMetadata: extra() < 0.3 ? { billingId: `cus_${j}` } : {},
      createdAt: nextCreatedAt(),
    });
    const k = Math.min(options.membershipsPerOrg, userIds.length);
    const chosen = new Set<string>();
    while (chosen.size < k) chosen.add(userIds[Math.floor(rnd() * userIds.length)]!);
    let first = true;
    // The first member is the admin; most orgs record them as creator, some cap their size.
    const creator = extra() < 0.6;
    const cap = extra() < 0.3 ? k + 1 + Math.floor(extra() * 50) : 0;
    for (const userId of chosen) {
      let role = "org:admin";
      if (!first) {
        let x = rnd();
        role = ROLE_WEIGHTS.find(([, w]) => (x -= w) < 0)?.[0] ?? "org:member";
      }
      const publicMetadata = extra() < 0.3 ? { department: DEPARTMENTS[memberships % DEPARTMENTS.length], seat: memberships } : {};
      store.createMembership(org.id, userId, role, { createdAt: org.createdAt + 1000 + memberships, publicMetadata });
      if (first && creator) org.createdBy = userId;
      first = false;
      memberships++;
    }
    org.maxAllowedMemberships = cap;
  }
  return { users: options.users, orgs: options.orgs, memberships };
}
