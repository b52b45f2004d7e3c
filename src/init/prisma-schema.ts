// Just enough of a Prisma schema for `init` to guess a mapping: models, their database names,
// their fields' types, attributes and database names. Pure: text in, models out.

export interface PrismaField {
  name: string;
  /** The column (`@map`), else the field's name. */
  column: string;
  /** Scalar or model type, without `?` or `[]`. */
  type: string;
  optional: boolean;
  list: boolean;
  id: boolean;
  unique: boolean;
  /** The `@default(...)` expression, if any: `autoincrement()`, `cuid()`, `uuid()`, `now()`, a literal. */
  default?: string;
  /** `@relation(fields: [...])`: the scalar fields holding the key of the model `type`. */
  relationFields?: string[];
  /** `@updatedAt`: Prisma Client sets it, the database has no default. */
  updatedAt: boolean;
}

export interface PrismaModel {
  name: string;
  /** The table (`@@map`), else the model's name. */
  table: string;
  fields: PrismaField[];
  /** Field names of `@@unique([...])` / `@@id([...])` sets. */
  uniques: string[][];
}

const MODEL = /^\s*model\s+(\w+)\s*\{/gm;

/** The text of a block opened just before `start`, up to its closing brace (braces in strings ignored). */
function blockBody(source: string, start: number): string {
  let depth = 1;
  let inString = false;
  for (let i = start; i < source.length; i++) {
    const c = source[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return source.slice(start, i);
  }
  return source.slice(start);
}

/** Models of one or more schema files' text (a folder's files concatenated). */
export function parsePrismaModels(text: string): PrismaModel[] {
  // Line comments (`//`, `///`) outside strings.
  const source = text.replace(/^((?:[^"\n/]|"(?:[^"\\\n]|\\.)*"|\/(?!\/))*)\/\/.*$/gm, "$1");
  const models: PrismaModel[] = [];
  for (const match of source.matchAll(MODEL)) {
    const name = match[1];
    const body = blockBody(source, match.index! + match[0].length);
    const model: PrismaModel = { name: name!, table: name!, fields: [], uniques: [] };
    for (const raw of body!.split("\n")) {
      const line = raw.trim();
      if (!line) continue;
      if (line.startsWith("@@")) {
        const map = /^@@map\(\s*"([^"]+)"/.exec(line);
        if (map) model.table = map[1]!;
        const set = /^@@(?:unique|id)\(\s*(?:fields:\s*)?\[([^\]]*)\]/.exec(line);
        if (set) model.uniques.push(set[1]!.split(",").map((s) => s.trim()).filter(Boolean));
        continue;
      }
      const field = parseField(line);
      if (field) model.fields.push(field);
    }
    models.push(model);
  }
  return models;
}

function parseField(line: string): PrismaField | undefined {
  const m = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
  if (!m) return undefined;
  const [, name, type, list, optional, attributes = ""] = m;
  const relation = /@relation\(([^)]*)\)/.exec(attributes);
  const relationFields = relation && /fields:\s*\[([^\]]*)\]/.exec(relation[1]!)?.[1]!.split(",").map((s) => s.trim()).filter(Boolean);
  return {
    name: name!,
    column: /@map\(\s*"([^"]+)"/.exec(attributes)?.[1] ?? name!,
    type: type!,
    optional: Boolean(optional),
    list: Boolean(list),
    id: /@id\b/.test(attributes),
    unique: /@unique\b/.test(attributes),
    default: defaultOf(attributes),
    ...(relationFields ? { relationFields } : {}),
    updatedAt: /@updatedAt\b/.test(attributes),
  };
}

/** The argument of `@default(…)`, parentheses balanced. */
function defaultOf(attributes: string): string | undefined {
  const start = attributes.indexOf("@default(");
  if (start < 0) return undefined;
  let depth = 0;
  for (let i = start + "@default".length; i < attributes.length; i++) {
    if (attributes[i] === "(") depth++;
    else if (attributes[i] === ")" && --depth === 0) return attributes.slice(start + "@default(".length, i).trim();
  }
  return undefined;
}
