import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson } from "../../src/mirror/json-text.ts";

/** The reference: a deep copy with keys inserted in sorted order, through JSON.stringify. */
function reference(value: unknown): string | undefined {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(sorted(value));
}

/** Random JSON values with keys in random order (no integer-like keys: JS objects enumerate those first). */
function randomValue(random: () => number, depth: number): unknown {
  const pick = Math.floor(random() * (depth > 2 ? 5 : 7));
  const text = () => ["", "a", "plan", "Ünïcödé", "日本", "emoji 🎉", 'q"uote\\', "line\nbreak", "\u0001", "lone \ud800"][Math.floor(random() * 10)]!;
  switch (pick) {
    case 0: return null;
    case 1: return random() < 0.5;
    case 2: return [0, -1, 1.5, 1e21, 2 ** 53, -0][Math.floor(random() * 6)];
    case 3: return text();
    case 4: return text() + Math.floor(random() * 100);
    case 5: return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
    default: {
      const keys = Array.from({ length: Math.floor(random() * 6) }, () => `${text()}k${Math.floor(random() * 50)}`);
      return Object.fromEntries(keys.map((k) => [k, randomValue(random, depth + 1)]));
    }
  }
}

test("canonicalJson writes what JSON.stringify writes of a key-sorted copy, over 5,000 random values without integer-like keys", () => {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = 0; i < 5000; i++) {
    const value = randomValue(random, 0);
    assert.equal(canonicalJson(value), reference(value), JSON.stringify(value));
  }
});

test("canonicalJson: key order does not matter, at any depth", () => {
  assert.equal(canonicalJson({ plan: "pro", beta: false, n: { z: 1, a: [{ y: 2, b: 3 }] } }), canonicalJson({ n: { a: [{ b: 3, y: 2 }], z: 1 }, beta: false, plan: "pro" }));
  assert.equal(canonicalJson({ b: 1, a: 2, c: { e: 1, d: 2 } }), '{"a":2,"b":1,"c":{"d":2,"e":1}}');
});

test("canonicalJson sorts objects with many keys (past the insertion sort) the same way", () => {
  const keys = Array.from({ length: 2000 }, (_, i) => `key ${(i * 7919) % 2000}`);
  const value = Object.fromEntries(keys.map((k, i) => [k, { n: i, [`z${k}`]: true, a: [k] }]));
  assert.equal(canonicalJson(value), reference(value));
});

test("canonicalJson drops what JSON drops and keeps a __proto__ key as data", () => {
  assert.equal(canonicalJson({ b: undefined, a: [undefined, () => 1], c: () => 1 }), '{"a":[null,null]}');
  assert.equal(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":1}')), '{"__proto__":{"x":1},"a":1}');
  assert.equal(canonicalJson({}), "{}");
  assert.equal(canonicalJson([]), "[]");
  assert.equal(canonicalJson({ at: new Date(0) }), '{"at":"1970-01-01T00:00:00.000Z"}');
  // toJSON is called once, as JSON.stringify does: a result that has one too is written as it is.
  const self = { b: 1, a: 2, toJSON() { return this; } };
  assert.equal(canonicalJson({ self }), JSON.stringify({ self: { a: 2, b: 1 } }));
});

test("canonicalJson orders integer-like keys as text, the same whatever order they arrive in", () => {
  assert.equal(canonicalJson({ 10: "a", 9: "b", x: 1 }), '{"10":"a","9":"b","x":1}');
  assert.equal(canonicalJson(JSON.parse('{"x":1,"9":"b","10":"a"}')), '{"10":"a","9":"b","x":1}');
});
