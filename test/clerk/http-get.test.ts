import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import zlib from "node:zlib";
import { BodyReadError, httpGet } from "../../src/clerk/http-get.ts";

const page = JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ id: `user_${i}`, first_name: i % 2 ? "Björk" : "山田", public_metadata: { plan: "pro" } })));
const encoders: Record<string, (b: Buffer) => Buffer> = { gzip: zlib.gzipSync, deflate: zlib.deflateSync, br: zlib.brotliCompressSync };

let server: http.Server;
let base: string;
const seen: http.IncomingHttpHeaders[] = [];

before(async () => {
  server = http.createServer((req, res) => {
    seen.push(req.headers);
    const [, what, arg] = req.url!.split("/");
    if (what === "encoded") {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": arg! });
      return res.end(encoders[arg!]!(Buffer.from(page)));
    }
    if (what === "chunked") {
      res.writeHead(200, { "content-type": "application/json" });
      const bytes = Buffer.from(page);
      for (let i = 0; i < bytes.length; i += 1000) res.write(bytes.subarray(i, i + 1000));
      return res.end();
    }
    if (what === "drop") {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(Buffer.byteLength(page)) });
      res.write(page.slice(0, 100));
      return setTimeout(() => res.socket?.destroy(), 10);
    }
    if (what === "unknown-encoding") {
      res.writeHead(200, { "content-encoding": "zstd-ish" });
      return res.end("x");
    }
    res.writeHead(429, { "retry-after": "3", "content-type": "application/json" });
    res.end('{"errors":[{"code":"too_many_requests"}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test("httpGet asks for compression and gives back the body decompressed, byte for byte, whichever encoding the server picks", async () => {
  for (const encoding of ["gzip", "deflate", "br"]) {
    const res = await httpGet(`${base}/encoded/${encoding}`, { Authorization: "Bearer sk_test" });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString("utf8"), page, encoding);
  }
  assert.equal(seen[0]!["accept-encoding"], "gzip, deflate, br");
  assert.equal(seen[0]!.authorization, "Bearer sk_test");
});

test("httpGet joins a chunked body, multi-byte characters split across chunks included", async () => {
  const res = await httpGet(`${base}/chunked`, {});
  assert.deepEqual(JSON.parse(res.body.toString("utf8")), JSON.parse(page));
});

test("httpGet rejects a body that breaks off, with the status it had, instead of handing on half a page", async () => {
  await assert.rejects(httpGet(`${base}/drop`, {}), (err: unknown) => err instanceof BodyReadError && err.status === 200 && /broke off/.test(err.message));
  await assert.rejects(httpGet(`${base}/unknown-encoding`, {}), (err: unknown) => err instanceof BodyReadError && /unsupported content-encoding \(zstd-ish\)/.test(err.message));
});

test("httpGet hands back error answers whole (status and headers), for the caller's retry rules", async () => {
  const res = await httpGet(`${base}/limited`, {});
  assert.equal(res.status, 429);
  assert.equal(res.headers["retry-after"], "3");
  assert.match(res.body.toString("utf8"), /too_many_requests/);
});

test("httpGet rejects at once when nothing listens", async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  await assert.rejects(httpGet(`http://127.0.0.1:${port}/x`, {}), (err: NodeJS.ErrnoException) => !(err instanceof BodyReadError) && err.code === "ECONNREFUSED");
});
