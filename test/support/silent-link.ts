import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback relay in front of a Redis whose open connections can go silent: bytes are dropped
 * both ways while both sockets stay open, as on a connection a NAT or a firewall forgot (the
 * server is fine, nothing is closed, nothing answers). Connections opened afterwards pass
 * normally. Sentinel's own connections (they name themselves `sentinel-...`) are never silenced,
 * so Sentinel keeps seeing a healthy primary and does not fail over.
 */
export interface SilentLink {
  port: number;
  /** Silences every connection open now except Sentinel's; returns how many. */
  silenceOpenConnections(): number;
  close(): Promise<void>;
}

interface Link {
  client: Socket;
  server: Socket;
  sentinel: boolean;
  silent: boolean;
}

export async function startSilentLink(redisPort: number): Promise<SilentLink> {
  const links = new Set<Link>();
  const server: Server = createServer((client) => {
    const link: Link = {
      client,
      server: connect({ host: '127.0.0.1', port: redisPort }),
      sentinel: false,
      silent: false,
    };
    links.add(link);
    const cut = () => {
      links.delete(link);
      link.client.destroy();
      link.server.destroy();
    };
    link.client.on('data', (chunk: Buffer) => {
      if (chunk.toString('latin1').includes('sentinel-')) link.sentinel = true;
      if (!link.silent) link.server.write(chunk);
    });
    link.server.on('data', (chunk: Buffer) => {
      if (!link.silent) link.client.write(chunk);
    });
    for (const socket of [link.client, link.server]) {
      socket.on('error', cut);
      socket.on('close', cut);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the silent link has no port');
  return {
    port: address.port,
    silenceOpenConnections: () => {
      const silenced = [...links].filter((link) => !link.sentinel);
      for (const link of silenced) link.silent = true;
      return silenced.length;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const link of links) {
          link.client.destroy();
          link.server.destroy();
        }
        links.clear();
        server.close(() => resolve());
      }),
  };
}
