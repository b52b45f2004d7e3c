// GET over node:http(s) with a keep-alive agent, the body gathered as one Buffer. The listing
// reads ~200 MB at 100k users; global fetch's web streams cost about half again as much CPU per
// page as this, and their chunk objects are garbage for every scavenge.
import http from "node:http";
import https from "node:https";
import { promisify } from "node:util";
import zlib from "node:zlib";

export interface RawResponse {
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** The answer started (status known) but its body did not arrive whole. */
export class BodyReadError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Inactivity, not a deadline: a slow page that keeps arriving is fine. */
const IDLE_TIMEOUT_MS = 60_000;

const agents = { "http:": new http.Agent({ keepAlive: true }), "https:": new https.Agent({ keepAlive: true }) };

const decoders: Record<string, (b: Buffer) => Promise<Buffer>> = {
  gzip: promisify(zlib.gunzip),
  "x-gzip": promisify(zlib.gunzip),
  deflate: promisify(zlib.unzip),
  br: promisify(zlib.brotliDecompress),
};

export function httpGet(url: string, headers: Record<string, string>): Promise<RawResponse> {
  const target = new URL(url);
  const transport = target.protocol === "https:" ? https : http;
  const agent = agents[target.protocol as keyof typeof agents];
  return new Promise((resolve, reject) => {
    const req = transport.get(target, { agent, headers: { ...headers, "Accept-Encoding": "gzip, deflate, br" } }, (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let settled = false;
      const fail = (message: string, cause?: Error) => {
        if (settled) return;
        settled = true;
        reject(new BodyReadError(status, message, { cause }));
      };
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", (err) => fail(`the body broke off: ${err.message}`, err));
      res.on("close", () => fail("the body broke off: the connection closed early"));
      res.on("end", () => {
        if (settled) return;
        if (!res.complete) return fail("the body broke off: the connection closed early");
        const encoding = res.headers["content-encoding"]?.trim().toLowerCase();
        const decode = encoding && encoding !== "identity" ? decoders[encoding] : undefined;
        if (encoding && encoding !== "identity" && !decode) return fail(`the body came in an unsupported content-encoding (${encoding})`);
        settled = true;
        const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        (decode ? decode(raw) : Promise.resolve(raw)).then(
          (body) => resolve({ status, statusText: res.statusMessage ?? "", headers: res.headers, body }),
          (err: Error) => reject(new BodyReadError(status, `the ${encoding} body could not be decompressed: ${err.message}`, { cause: err })),
        );
      });
    });
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(Object.assign(new Error(`no data for ${IDLE_TIMEOUT_MS / 1000} s`), { code: "ETIMEDOUT" })));
    req.on("error", reject);
  });
}
