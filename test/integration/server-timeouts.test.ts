import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstResponse, openRawConnection, type RawConnection } from '../support/raw-http.js';
import { startServerOnFreePort, type ServerProcess } from '../support/server-process.js';
import { withinTime } from '../support/wait.js';

/** Short timeouts, so that each cut comes within a few seconds; the defaults are 10 s, 30 s and 5 s. */
const TIMEOUTS = { HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '2000', KEEP_ALIVE_TIMEOUT_MS: '1000' };
/** The timeout, plus Node's checking interval (1 s), plus room for a loaded machine. */
const CUT_WITHIN_MS = 6000;

describe('the real server against slow clients', () => {
  let server: ServerProcess;
  let origin: string;
  beforeAll(async () => {
    const started = await startServerOnFreePort({ NODE_ENV: 'test', ...TIMEOUTS });
    server = started.server;
    origin = `http://127.0.0.1:${started.port}`;
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await withinTime(server.exited, 5000, 'the process to exit');
  });

  /** Runs `drip` every 100 ms (at most 100 times) until the server closes the connection. */
  async function dripUntilClosed(connection: RawConnection, drip: () => void): Promise<void> {
    let drops = 0;
    const timer = setInterval(() => {
      if (drops++ < 100) drip();
    }, 100);
    try {
      await withinTime(connection.closed, CUT_WITHIN_MS, 'cut of the slow client');
    } finally {
      clearInterval(timer);
      connection.socket.destroy();
    }
  }

  it('cuts off a client that never finishes its headers, though it keeps sending them (slowloris), with 408', async () => {
    const connection = await openRawConnection(origin);
    connection.socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n');
    await dripUntilClosed(connection, () => connection.socket.write('X-Padding: a\r\n'));
    expect(firstResponse(connection.received()).status).toBe(408);
  });

  it('cuts off a client that never finishes its body, with 408', async () => {
    const connection = await openRawConnection(origin);
    connection.socket.write(
      'POST /logout HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n_csrf=',
    );
    await dripUntilClosed(connection, () => connection.socket.write('a'));
    expect(firstResponse(connection.received()).status).toBe(408);
  });

  it('closes an idle keep-alive connection after KEEP_ALIVE_TIMEOUT_MS, and says so in Keep-Alive', async () => {
    const connection = await openRawConnection(origin);
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await withinTime(connection.closed, CUT_WITHIN_MS, 'close of the idle connection');
    const response = firstResponse(connection.received());
    expect(response.status).toBe(200);
    expect(response.headers['keep-alive']).toBe('timeout=1');
  });

  it('keeps serving everyone else', async () => {
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
  });
});
