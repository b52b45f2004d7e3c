const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * Clerk-shaped ids (`user_2b…`, 27 base62 chars after the prefix). A per-store counter makes
 * them unique and, with a seeded random source, deterministic for generated datasets.
 */
export function createIdFactory(random: () => number): (prefix: string) => string {
  let counter = 0;
  return (prefix) => {
    counter += 1;
    let s = counter.toString(36).padStart(8, "0");
    while (s.length < 27) s += ALPHABET[Math.floor(random() * ALPHABET.length)];
    return `${prefix}_${s}`;
  };
}

/** mulberry32: small, fast, seedable; good enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The emulator's default secret key, derived from the dataset seed: stable across restarts, so
 * the CLERK_SECRET_KEY put in `.env` keeps working.
 */
export function secretKeyForSeed(seed: number): string {
  const random = seededRandom(seed ^ 0x5eed_c1e7);
  let key = "sk_test_";
  while (key.length < 8 + 40) key += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return key;
}

/** Where `pnpm clerk:emulator` and `pnpm dev` serve the emulator unless told otherwise. */
export const DEFAULT_EMULATOR_PORT = 4010;
