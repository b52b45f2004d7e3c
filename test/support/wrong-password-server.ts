import net from "node:net";

/** A server that answers every login as PostgreSQL does to a wrong password (28P01). */
export async function startWrongPasswordServer(): Promise<{ port: number; close(): void }> {
  const server = net.createServer((socket) => {
    socket.once("data", () => {
      const fields = Buffer.from('SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed for user "app"\0\0');
      const header = Buffer.alloc(5);
      header.write("E", 0);
      header.writeInt32BE(fields.length + 4, 1);
      socket.end(Buffer.concat([header, fields]));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}
