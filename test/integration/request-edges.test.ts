import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRawConnection } from '../support/raw-http.js';
import { startServerOnFreePort, waitForOutput, type ServerProcess } from '../support/server-process.js';
import { withinTime } from '../support/wait.js';

const FORM = 'Content-Type: application/x-www-form-urlencoded\r\n';
const CLOSED_WITHIN_MS = 5000;

describe('request edges against the real server', () => {
  let server: ServerProcess;
  let port: number;
  let origin: string;
  beforeAll(async () => {
    ({ server, port } = await startServerOnFreePort({ NODE_ENV: 'test', HOST: '127.0.0.1' }));
    origin = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    server.child.kill('SIGTERM');
    await withinTime(server.exited, 5000, 'the process to exit');
  });

  /** Writes `bytes` on a new connection and returns everything the server sent before closing it. */
  async function sentBack(bytes: string): Promise<string> {
    const connection = await openRawConnection(origin);
    try {
      connection.socket.write(bytes);
      await withinTime(connection.closed, CLOSED_WITHIN_MS, 'the server to close the connection');
      return connection.received();
    } finally {
      connection.socket.destroy();
    }
  }

  it.each([
    ['POST', '/logout', FORM],
    ['POST', '/backchannel-logout', FORM],
    ['GET', '/', ''],
  ])(
    'does not invite with 100 Continue a body of 100 MB that %s %s will refuse or never read',
    async (method, path, type) => {
      const received = await sentBack(
        `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${type}Expect: 100-continue\r\nContent-Length: 100000000\r\n\r\n`,
      );
      expect(received).not.toMatch(/^HTTP\/1\.1 100 /);
    },
  );

  it.each([
    ['declared', `Content-Length: 5000\r\n\r\n${'a'.repeat(5000)}`],
    ['chunked', `Transfer-Encoding: chunked\r\n\r\n1001\r\n${'a'.repeat(4097)}\r\n0\r\n\r\n`],
  ])(
    'never runs a request pipelined behind a refused (%s) body: the connection "cannot carry another request"',
    async (kind, rest) => {
      const marker = `/pipelined-behind-413-${kind}`;
      const received = await sentBack(
        `POST /logout HTTP/1.1\r\nHost: localhost\r\n${FORM}${rest}GET ${marker} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
      );
      expect(received).toMatch(/^HTTP\/1\.1 413 /);
      // The request line of the refusal is logged; give the pipelined one as long to show up.
      await waitForOutput(server, (output) => output.includes('"msg":"POST /logout 413"'));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(server.output()).not.toContain(marker);
    },
  );
});
