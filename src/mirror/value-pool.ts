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
  return {
    string,
    /** The shared copy of the list that `key` identifies (its text), built by `make` the first time. */
    list(key: string, make: () => readonly string[]): readonly string[] {
      const known = lists.get(key);
      if (known) return known;
      const list = Object.freeze(make().map(string));
      if (lists.size < maxDistinct) lists.set(key, list);
      return list;
    },
    /** The shared copy of the text derived from `key` by `make` (metadata's canonical JSON; an id is its own key). */
    text(key: string, make: () => string): string {
      const known = texts.get(key);
      if (known !== undefined) return known;
      const text = make();
      if (texts.size < maxDistinct) texts.set(key, text);
      return text;
    },
  };
}
