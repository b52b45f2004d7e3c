/**
 * One copy of each distinct value, for data that repeats a handful of values over hundreds of
 * thousands of rows (roles, permission lists, metadata texts, the organization ids of
 * memberships): held once each, a plan or a mirror read is a fraction of the size, and a full
 * collection has far fewer objects to mark. Each kind (short strings, lists, texts) has its own
 * `maxDistinct`: past it, new values of that kind are returned as they are, and the other kinds are
 * unaffected (so many distinct metadata texts never stop roles from being shared). Lists come back
 * frozen: they are shared.
 */
export function createValuePool(maxDistinct = 10_000) {
  const strings = new Map<string, string>();
  const lists = new Map<string, readonly string[]>();
  const texts = new Map<string, string>();
  const string = <S extends string | null>(s: S): S => {
    if (s === null) return s;
    const known = strings.get(s);
    if (known !== undefined) return known as S;
    if (strings.size < maxDistinct) strings.set(s, s);
    return s;
  };
  /** Shared lists by their first item (or ""), each bucket searched item by item: no key text to build. */
  const byFirst = new Map<string, (readonly string[])[]>();
  let listCount = 0;
  // `make` and `derive` take the key, so callers pass one function for all rows, not a closure per row.
  return {
    string,
    /** The shared copy of the list that `key` identifies (its text), built by `make(key)` the first time. */
    list(key: string, make: (key: string) => readonly string[]): readonly string[] {
      const known = lists.get(key);
      if (known) return known;
      const list = Object.freeze(make(key).map(string));
      if (lists.size < maxDistinct) lists.set(key, list);
      return list;
    },
    /** The shared copy of a list equal to `items`, item by item. */
    listOf(items: readonly string[]): readonly string[] {
      const first = items.length ? items[0]! : "";
      const bucket = byFirst.get(first);
      if (bucket) for (const known of bucket) if (sameItems(known, items)) return known;
      const list = Object.freeze(items.map(string));
      if (listCount >= maxDistinct) return list;
      listCount += 1;
      if (bucket) bucket.push(list);
      else byFirst.set(first, [list]);
      return list;
    },
    /** The shared copy of the text derived from `key` by `derive(key)` (metadata's canonical JSON; an id is its own key). */
    text(key: string, derive: (key: string) => string): string {
      const known = texts.get(key);
      if (known !== undefined) return known;
      const text = derive(key);
      if (texts.size < maxDistinct) texts.set(key, text);
      return text;
    },
  };
}

/** Two lists with the same items in the same order (a loop: no callback per call, as `every` would build). */
export function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A text that is its own key (see `text`). */
export const itself = (key: string): string => key;
