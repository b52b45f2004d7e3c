// A fetch-style handler (Request → Response) on node's http server or Express:
// `app.post("/webhooks/clerk", toNodeHandler())`, `http.createServer(toNodeHandler())`.
// Svix signs the raw bytes, so the body must reach the handler unparsed.
import type { ServerResponse } from "node:http";
import { errorMessage } from "../errors.ts";
import { redactSecrets } from "../redact.ts";
import { handleClerkWebhook } from "./handle-clerk-webhook.ts";
import { toWebRequest, writeResponse, type NodeRequest } from "./node-http.ts";

export { toWebRequest, type NodeRequest } from "./node-http.ts";
export type NodeHandler = (req: NodeRequest, res: ServerResponse, next?: (err?: unknown) => void) => void;

/** `handler` on node's http or Express; by default the handler configured like the CLI (handleClerkWebhook). */
export function toNodeHandler(handler: (request: Request) => Promise<Response> = handleClerkWebhook): NodeHandler {
  return (req, res, next) => {
    let request: Request;
    try {
      request = toWebRequest(req);
    } catch (err) {
      return fail(res, err);
    }
    handler(request)
      .then((response) => writeResponse(res, response))
      .catch((err: unknown) => (next ? next(err) : fail(res, err)));
  };
}

/**
 * A failure the handler could not answer itself (the app's wiring, its configuration), said where
 * the developer looks: the server's stderr and the 500's body.
 */
function fail(res: ServerResponse, err: unknown): void {
  const message = redactSecrets(errorMessage(err));
  process.stderr.write(`clerk-resync webhook: ${message}\n`);
  if (res.headersSent) return void res.destroy();
  res.writeHead(500, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: message }));
}
