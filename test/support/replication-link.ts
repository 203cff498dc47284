import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * The replica's connection to its primary, through a loopback relay the test controls: held, the
 * primary's replication stream stops short of the replica (as on a slow or congested link) while
 * the replica's acknowledgements still flow back; released, what was held is delivered. When the
 * primary dies, what is still held dies with it, as a host's unsent buffers do: freezing the
 * replica's process cannot show that, since the kernel would still deliver what was sent to it.
 */
export interface ReplicationLink {
  port: number;
  hold(): void;
  release(): void;
  /** Drops every connection and what is held on it: what the primary's death does, at once. */
  cut(): void;
  close(): Promise<void>;
}

export async function startReplicationLink(primaryPort: number): Promise<ReplicationLink> {
  let held = false;
  const links = new Set<{ replica: Socket; primary: Socket; queue: Buffer[] }>();
  const cutAll = () => {
    for (const link of links) {
      link.queue = [];
      link.replica.destroy();
      link.primary.destroy();
    }
    links.clear();
  };
  const server: Server = createServer((replica) => {
    const primary = connect({ host: '127.0.0.1', port: primaryPort });
    const link = { replica, primary, queue: [] as Buffer[] };
    links.add(link);
    const cut = () => {
      links.delete(link);
      link.queue = [];
      replica.destroy();
      primary.destroy();
    };
    replica.on('data', (chunk) => primary.write(chunk));
    primary.on('data', (chunk: Buffer) => {
      if (held) link.queue.push(chunk);
      else replica.write(chunk);
    });
    for (const socket of [replica, primary]) {
      socket.on('error', cut);
      socket.on('close', cut);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the replication link has no port');
  return {
    port: address.port,
    hold: () => {
      held = true;
    },
    release: () => {
      held = false;
      for (const link of links) {
        for (const chunk of link.queue) link.replica.write(chunk);
        link.queue = [];
      }
    },
    cut: cutAll,
    close: () =>
      new Promise<void>((resolve) => {
        cutAll();
        server.close(() => resolve());
      }),
  };
}
