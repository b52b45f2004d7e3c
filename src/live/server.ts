// `pnpm clerk:webhooks`: the webhook handler on node's http server. POST /webhooks/clerk and
// GET /healthz (last event, counts, lag).
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ClerkWebhookHandler } from "./handler.ts";

export const WEBHOOK_PATH = "/webhooks/clerk";

export interface RunningReceiver {
  url: string;
  close(): Promise<void>;
}

export async function startWebhookReceiver(handler: ClerkWebhookHandler, options: { port?: number; host?: string } = {}): Promise<RunningReceiver> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const path = (req.url ?? "/").split("?")[0];
        let response: Response;
        if (req.method === "GET" && path === "/healthz") response = Response.json({ ok: true, ...handler.stats });
        else if (path !== WEBHOOK_PATH) response = Response.json({ error: `not found: POST ${WEBHOOK_PATH} or GET /healthz` }, { status: 404 });
        else {
          const headers = new Headers();
          for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
          response = await handler(new Request(`http://${req.headers.host ?? "localhost"}${req.url}`, { method: req.method, headers, body: req.method === "POST" ? Buffer.concat(chunks) : undefined }));
        }
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })().catch((err) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: String(err) }));
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}${WEBHOOK_PATH}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
