import assert from "node:assert/strict";
import { test } from "node:test";
import { createValuePool, itself } from "../../src/mirror/value-pool.ts";

test("listOf shares one frozen copy per distinct list, told apart item by item", () => {
  const pool = createValuePool();
  const admin = pool.listOf(["org:a", "org:b"]);
  assert.equal(pool.listOf(["org:a", "org:b"]), admin, "an equal list is the same object");
  assert.ok(Object.isFrozen(admin));
  // Same first item, same length, or a prefix: each a list of its own.
  const others = [["org:a", "org:c"], ["org:a"], ["org:a", "org:b", "org:c"], ["org:b", "org:a"], []];
  const copies = others.map((l) => pool.listOf(l));
  for (const [i, l] of others.entries()) {
    assert.deepEqual(copies[i], l);
    assert.notEqual(copies[i], admin);
    assert.equal(pool.listOf([...l]), copies[i], `${JSON.stringify(l)} shared`);
  }
  assert.equal(pool.listOf([]), pool.listOf([]));
});

test("listOf's items are the pool's strings, and past maxDistinct lists come back unshared but equal", () => {
  const pool = createValuePool(2);
  const role = pool.string("org:admin".slice(0));
  assert.equal(pool.listOf(["org:admin".slice(0)])[0], role);
  pool.listOf(["x"]);
  const past = pool.listOf(["y"]);
  assert.deepEqual(past, ["y"]);
  assert.notEqual(pool.listOf(["y"]), past, "the third distinct list is not kept");
});

test("text keeps one copy per key, derived once; itself keys a text by its own value", () => {
  const pool = createValuePool();
  let calls = 0;
  const derive = (key: string) => {
    calls += 1;
    return key.toUpperCase();
  };
  assert.equal(pool.text("ab", derive), "AB");
  assert.equal(pool.text("ab", derive), "AB");
  assert.equal(calls, 1);
  const text = '{"a":1}';
  assert.equal(pool.text(`${text}`, itself), text);
});
