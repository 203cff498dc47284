import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** One TCP connection to a server on loopback, for HTTP that fetch refuses to produce. */
export interface RawConnection {
  socket: Socket;
  /** Everything the server has sent so far. */
  received(): string;
  /** Resolves once the server has closed the connection (never rejects: read `received()`). */
  closed: Promise<void>;
}

/** Options for an https origin: the certificate to trust (the HTTPS test mode's self-signed one). */
export interface RawOptions {
  ca?: string;
}

/** Connects to `origin` (http(s)://127.0.0.1:PORT or http(s)://localhost:PORT). */
export function openRawConnection(origin: string, { ca }: RawOptions = {}): Promise<RawConnection> {
  const { protocol, hostname, port } = new URL(origin);
  const host = hostname === 'localhost' ? '127.0.0.1' : hostname;
  const tls = protocol === 'https:';
  return new Promise((resolve, reject) => {
    const socket: Socket = tls
      ? connectTls({ port: Number(port), host, servername: 'localhost', ca })
      : connect(Number(port), host);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    // A reset after the answer (the server closed while bytes were still coming) is still a close.
    socket.on('error', () => undefined);
    socket.once(tls ? 'secureConnect' : 'connect', () => resolve({ socket, received: () => received, closed }));
    socket.once('error', reject);
  });
}

export interface RawResponse {
  status: number;
  /** Lower-case names; the last value of a repeated header. */
  headers: Record<string, string>;
  body: string;
}

/** The first response in `text` (as received on a connection); fails when there is none. */
export function firstResponse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine)?.[1];
  if (end < 0 || status === undefined) throw new Error(`no HTTP response in ${JSON.stringify(text.slice(0, 200))}`);
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const rest = text.slice(end + 4);
  const body = headers['transfer-encoding']?.includes('chunked')
    ? unchunk(rest)
    : rest.slice(0, Number(headers['content-length'] ?? 0));
  return { status: Number(status), headers, body: Buffer.from(body, 'latin1').toString('utf8') };
}

/** The payload of a chunked body (as far as it came). */
function unchunk(text: string): string {
  let body = '';
  let offset = 0;
  for (let chunks = 0; chunks < 100_000; chunks += 1) {
    const lineEnd = text.indexOf('\r\n', offset);
    const size = lineEnd < 0 ? Number.NaN : Number.parseInt(text.slice(offset, lineEnd), 16);
    if (!(size > 0)) break;
    body += text.slice(lineEnd + 2, lineEnd + 2 + size);
    offset = lineEnd + 2 + size + 2;
  }
  return body;
}

/** What came back for one request sent byte for byte: a response, or nothing in time. */
export type Exchange =
  (RawResponse & { timedOut: false }) | { status: 0; headers: Record<string, string>; body: string; timedOut: boolean };

/**
 * Sends `request` exactly as given (send `Connection: close`) and waits until the server closes
 * the connection or `timeoutMs` passes. Status 0: nothing came back (`timedOut` says whether the
 * server closed first or the time ran out).
 */
export async function exchange(
  origin: string,
  request: Buffer | string,
  timeoutMs: number,
  options: RawOptions = {},
): Promise<Exchange> {
  const connection = await openRawConnection(origin, options);
  connection.socket.write(request);
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    connection.closed.then(() => 'closed' as const),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
  ]);
  clearTimeout(timer);
  connection.socket.destroy();
  try {
    return { ...firstResponse(connection.received()), timedOut: false };
  } catch {
    return { status: 0, headers: {}, body: '', timedOut: outcome === 'timeout' };
  }
}
