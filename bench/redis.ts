import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);
const START_TIMEOUT_MS = 10_000;

export interface RedisTarget {
  url: string;
  /**
   * A URL for another app instance that must not share keys with `url` (its own database on a
   * throwaway server, so each instance's keys can be counted); the same URL on a given REDIS_URL.
   */
  separateUrl: string;
  /**
   * A third database for the 100,000-session instance, on a throwaway server only: a REDIS_URL
   * given from outside is used as it is and never filled with 100,000 extra sessions.
   */
  seedUrl?: string;
  /** Bytes Redis uses for data (INFO memory: used_memory). */
  usedMemory(): Promise<number>;
  /** Keys in `url`'s database (default: `url`). */
  keys(url?: string): Promise<number>;
  stop(): Promise<void>;
}

async function cli(url: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-u', url, ...args], { timeout: 5000 });
  return stdout.trim();
}

function target(url: string, separateUrl: string, seedUrl: string | undefined, stop: () => Promise<void>): RedisTarget {
  return {
    url,
    separateUrl,
    seedUrl,
    async usedMemory() {
      const match = /^used_memory:(\d+)/m.exec(await cli(url, 'INFO', 'memory'));
      return Number(match?.[1] ?? Number.NaN);
    },
    async keys(of = url) {
      return Number(await cli(of, 'DBSIZE'));
    },
    stop,
  };
}

/**
 * The Redis for the Redis variant: REDIS_URL when set (used as is, never flushed), else a
 * throwaway redis-server on a free loopback port with no persistence, else none (with the reason).
 */
export async function redisForBench(env: NodeJS.ProcessEnv): Promise<RedisTarget | { skipped: string }> {
  if (env.REDIS_URL) return target(env.REDIS_URL, env.REDIS_URL, undefined, () => Promise.resolve());
  try {
    await run('redis-server', ['--version']);
  } catch {
    return { skipped: 'no REDIS_URL and no redis-server (apt-get install -y redis-server)' };
  }
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      if ((await cli(url, 'PING')) === 'PONG') break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      server.kill('SIGKILL');
      return { skipped: `redis-server did not answer on ${url}` };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return target(url, `${url}/1`, `${url}/2`, async () => {
    server.kill('SIGTERM');
    await exited;
  });
}
