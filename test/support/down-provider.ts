import { createServer, type Server } from 'node:http';

/**
 * Stands in for a provider that is down, on its own address: every request is counted, then its
 * connection is dropped (as a crashed provider behind a load balancer does). The count is what the
 * app sent to the provider while it was down.
 */
export async function downProvider(origin: string): Promise<{ requests: string[]; close(): Promise<void> }> {
  const { hostname, port } = new URL(origin);
  const requests: string[] = [];
  const server: Server = createServer((req) => {
    requests.push(req.url ?? '');
    req.socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(port), hostname, () => resolve());
  });
  return {
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
