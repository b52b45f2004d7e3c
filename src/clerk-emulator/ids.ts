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
