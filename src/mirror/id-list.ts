// A list of Clerk ids as one query parameter: a JSON text, built natively by JSON.stringify, where
// pg builds a text[] literal in JS, escaping element by element (noticeable at 500 ids a page).

/** The parameter's value. */
export const idList = (ids: readonly string[]): string => JSON.stringify(ids);

/** SQL: `column` is one of the ids in parameter `param` (an idList). Still an index condition. */
export const inIdList = (column: string, param: string): string => `${column} = ANY(ARRAY(SELECT jsonb_array_elements_text(${param}::jsonb)))`;
