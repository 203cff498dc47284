import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { logLinesOf, startServerOnFreePort, type ServerProcess } from '../support/server-process.js';
import { withinTime } from '../support/wait.js';

const preload = new URL('../support/preload/crash-on-signal.ts', import.meta.url).href;

/** Sends raw bytes (HTTP that fetch refuses to produce) and returns whatever comes back. */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // write, not end: a half-closed socket makes Node drop the request before it is answered.
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.setTimeout(3000, () => socket.destroy(new Error('no answer to a raw request')));
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('the real server process', () => {
  let server: ServerProcess | undefined;
  afterEach(() => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  });

  async function start(env: Record<string, string> = {}) {
    const started = await startServerOnFreePort({ NODE_ENV: 'test', ...env }, { preload: [preload] });
    server = started.server;
    return started;
  }

  it.each([
    ['rejection', 'unhandledRejection', 'unhandled promise rejection', 'boom: rejected and never handled'],
    ['exception', 'uncaughtException', 'uncaught exception', 'boom: thrown from a timer'],
  ])('logs an unhandled %s with its stack and exits 1', async (kind, origin, message, error) => {
    const { server } = await start({ CRASH_WITH: kind });
    server.child.kill('SIGUSR2');
    expect(await withinTime(server.exited, 5000, 'the process to exit')).toBe(1);
    const fatal = logLinesOf(server.output()).find((line) => line.level === 60);
    expect(fatal).toMatchObject({ msg: message, origin, event: 'process.crash', err: { message: error } });
    // The stack is added at this one site (and the 500 page), never by the error serializer.
    expect(fatal?.stack).toMatch(/crash-on-signal\.ts/);
    expect(fatal?.err).not.toHaveProperty('stack');
    // The lines logged just before process.exit are there, last and in the order they were logged.
    const events = logLinesOf(server.output()).map((line) => line.event);
    expect(events.slice(events.indexOf('process.crash'))).toEqual([
      'process.crash',
      'shutdown.begin',
      'shutdown.drained',
      'shutdown.done',
    ]);
    expect(logLinesOf(server.output()).at(-1)).toMatchObject({ event: 'shutdown.done', exitCode: 1 });
  });

  it('survives malformed and hostile requests, answering each without a stack trace', async () => {
    const { server, port } = await start();
    const origin = `http://127.0.0.1:${port}`;
    const answers = [
      await rawRequest(port, 'GARBAGE\r\n\r\n'),
      await rawRequest(port, 'GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      await rawRequest(port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`),
      await rawRequest(
        port,
        'GET /profile HTTP/1.1\r\nHost: x\r\nCookie: session=%E0%A4%A.x; auth_verification={"bad"\r\nConnection: close\r\n\r\n',
      ),
      await rawRequest(
        port,
        'POST /logout HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\nConnection: close\r\n\r\n%%%',
      ),
      await (await fetch(`${origin}/callback?code=x&state=%25%25%25`)).text(),
      await (await fetch(`${origin}/callback?error=access_denied&error_description=${'x'.repeat(5000)}`)).text(),
      await (
        await fetch(`${origin}/logout`, {
          method: 'POST',
          body: 'x'.repeat(1_000_000),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
      ).text(),
      await (
        await fetch(`${origin}/login?returnTo=${encodeURIComponent('//evil.example/%00')}`, { redirect: 'manual' })
      ).text(),
    ];
    for (const answer of answers) expect(answer).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
    expect(answers.slice(0, 5).map((answer) => answer.slice(0, 12))).toEqual([
      'HTTP/1.1 400',
      'HTTP/1.1 404',
      'HTTP/1.1 431',
      'HTTP/1.1 302',
      'HTTP/1.1 303',
    ]);

    expect(server.child.exitCode).toBeNull();
    const home = await fetch(`${origin}/`);
    expect(home.status).toBe(200);
    expect(logLinesOf(server.output()).filter((line) => line.level === 60)).toEqual([]);
  });
});
