import net from "node:net";

/**
 * Why a connection to `url` fails (ECONNREFUSED, ENOTFOUND, ETIMEDOUT, …), or undefined if a TCP
 * connection opens: the SDK reports every network failure as "fetch failed", which says nothing.
 */
export function probeConnection(url: string, timeoutMs = 2000): Promise<string | undefined> {
  const u = new URL(url);
  const port = Number(u.port) || (u.protocol === "https:" ? 443 : 80);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname.replace(/^\[|\]$/g, ""), port });
    const done = (code: string | undefined) => {
      socket.destroy();
      resolve(code);
    };
    socket.setTimeout(timeoutMs, () => done("ETIMEDOUT"));
    socket.once("connect", () => done(undefined));
    socket.once("error", (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}
