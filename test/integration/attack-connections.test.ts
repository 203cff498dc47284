import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitForOutput, type ServerProcess } from '../support/server-process.js';
import { withinTime } from '../support/wait.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** A small file-descriptor limit stands in for the usual one (1024 to 65536): same attack, fewer sockets. */
const FD_LIMIT = 256;
const IDLE_CONNECTIONS = 400;

/** The real server (tsx src/server.ts) under `ulimit -n FD_LIMIT`. */
function startWithFdLimit(env: Record<string, string>): ServerProcess {
  const child = spawn('sh', ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" --import tsx src/server.ts`, process.execPath], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, output: () => output, exited };
}

describe('attack: many idle connections from one address', () => {
  let server: ServerProcess;
  let port: number;
  const idle: Socket[] = [];
  beforeAll(async () => {
    port = await freePort();
    server = startWithFdLimit({ NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port) });
    await waitForOutput(server, (output) => output.includes('"event":"server.started"'));
  });
  afterAll(async () => {
    for (const socket of idle) socket.destroy();
    server.child.kill('SIGTERM');
    await withinTime(server.exited, 5000, 'the process to exit');
  });

  it('keeps answering another client while one address holds hundreds of connections that send nothing', async () => {
    // The attacker: 127.0.0.2 (loopback all the same), opening connections and never writing.
    for (let i = 0; i < IDLE_CONNECTIONS; i += 1) {
      const socket = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.2' });
      socket.on('error', () => undefined);
      idle.push(socket);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Well within HEADERS_TIMEOUT_MS (10 s): the idle connections are all still held.
    const answer = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3000) }).then(
      (response) => `HTTP ${response.status}`,
      (error: unknown) => `failed: ${String(error instanceof Error && error.cause instanceof Error ? error.cause.message : error)}`,
    );
    expect(answer).toBe('HTTP 200');
    expect(server.child.exitCode).toBeNull();
  });
});
