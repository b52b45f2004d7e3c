/** Copies the `fields` a patch sets, in order; one left undefined keeps the record's value (Clerk's PATCH). */
export function applyPatch<T extends object>(record: T, patch: Partial<T>, fields: readonly (keyof T)[]): void {
  for (const field of fields) if (patch[field] !== undefined) record[field] = patch[field] as T[keyof T];
}
