import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export interface Drain {
  /**
   * Stops accepting connections and lets the requests in flight finish; each connection closes
   * once its last response is out (keep-alive sockets included). Resolves 'drained' when none is
   * left, or 'forced' after `timeoutMs`, having cut the connections still open.
   */
  drain(timeoutMs: number): Promise<'drained' | 'forced'>;
}

/**
 * Graceful draining with node:http alone (Node >= 18.2 has closeIdleConnections). server.close()
 * only stops the listener: a keep-alive connection would otherwise stay open after its response
 * (until the client gives up), so every response sent while draining says `Connection: close`.
 */
export function trackInFlight(server: Server): Drain {
  const inFlight = new Set<ServerResponse>();
  let draining = false;

  // Ahead of the app's own listener, so the header can still be set on requests that arrive on
  // open keep-alive connections while draining.
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    inFlight.add(res);
    if (draining) res.setHeader('Connection', 'close');
    res.once('close', () => {
      inFlight.delete(res);
      // A response whose headers were out before draining began kept its connection alive: close it now it is idle.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });

  return {
    drain(timeoutMs) {
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      return new Promise((resolve) => {
        const deadline = setTimeout(() => {
          server.closeAllConnections();
          resolve('forced');
        }, timeoutMs);
        server.close(() => {
          clearTimeout(deadline);
          resolve('drained');
        });
        server.closeIdleConnections();
      });
    },
  };
}
