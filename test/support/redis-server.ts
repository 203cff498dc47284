import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { freePort } from './server-process.js';

/** Set SKIP_REDIS_TESTS=1 to skip the Redis tests on a machine without redis-server. CI never does. */
export const skipRedisTests = process.env.SKIP_REDIS_TESTS === '1';

export const NOT_INSTALLED =
  'redis-server is not installed: install the Debian package "redis-server" (apt-get install -y redis-server; .ci/run does), or set SKIP_REDIS_TESTS=1 to skip the Redis tests';
const START_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_MS = 5000;

export interface RedisServer {
  url: string;
  /** Stops the server. keepData saves first, so the next start() has the data back (a durable Redis). */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** SIGSTOP: the server hangs, connections stay open, nothing answers. thaw() resumes it. */
  freeze(): void;
  thaw(): void;
  /** Runs one command through a short-lived client of its own. */
  command(args: string[]): Promise<unknown>;
  /** Stops it for good and deletes its directory. */
  close(): Promise<void>;
}

/**
 * A real redis-server (the Debian package) on a free loopback port, without persistence
 * (--save '' --appendonly no), in a directory of its own. Fails with a message naming the package
 * when it is not installed.
 */
/** A throwaway redis-server on 127.0.0.1:`port`: nothing saved, its files in `dir`. */
export function redisServerArgs(port: number, dir: string): string[] {
  const noPersistence = ['--save', '', '--appendonly', 'no'];
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    ...noPersistence,
    '--dir',
    dir,
    '--dbfilename',
    `dump-${port}.rdb`,
  ];
}

export async function startRedisServer(): Promise<RedisServer> {
  if (spawnSync('redis-server', ['--version']).error) throw new Error(NOT_INSTALLED);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    const args = redisServerArgs(port, dir);
    const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms:\n${output}`)),
        START_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      started.stdout.on('data', onData);
      started.stderr.on('data', onData);
      started.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${String(code)}:\n${output}`));
      });
    });
  }

  async function command(args: string[]): Promise<unknown> {
    const client = createClient({ url, socket: { connectTimeout: 1000, reconnectStrategy: false } });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await client.sendCommand(args);
    } finally {
      client.destroy();
    }
  }

  async function stop({ keepData = false } = {}): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null) return;
    running.kill('SIGCONT');
    if (keepData) await command(['SAVE']);
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  await start();
  return {
    url,
    start,
    stop,
    command,
    freeze: () => child?.kill('SIGSTOP'),
    thaw: () => child?.kill('SIGCONT'),
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
