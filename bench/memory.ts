import { BenchBrowser } from './browser.js';
import type { Child } from './children.js';
import { createSessions, signIn } from './logins.js';
import type { MemoryReading } from './probe-protocol.js';
import type { RedisTarget } from './redis.js';
import { PRUNE_INTERVAL_SECONDS, type BenchSettings } from './settings.js';
import type { AppStack } from './stacks.js';

/** One point of the memory curve: the app's RSS and heap as they were (no forced GC) after `logins`. */
export interface CurvePoint {
  logins: number;
  rss: number;
  heapUsed: number;
}

export interface MemoryFigures {
  idle: MemoryReading;
  /** Every `memorySampleEvery` logins, from 0. */
  curve: CurvePoint[];
  warmupLogins: number;
  afterLogins: MemoryReading;
  sessions: number;
  loginSeconds: number;
  heapBytesPerSession: number;
  redis?: {
    idleBytes: number;
    afterBytes: number;
    keys: number;
    bytesPerSession: number;
    afterExpiryBytes?: number;
    keysAfterExpiry?: number;
  };
  afterExpiry?: MemoryReading;
}

/** Thrown when REDIS_URL was given to the app but its sessions did not land in Redis. */
export class SessionsNotInRedisError extends Error {}

export interface PendingExpiry {
  figures: MemoryFigures;
  /** When every session created is expired and, in memory, pruned (epoch ms). */
  expiredAt: number;
}

/**
 * Warms every lazy path (discovery, keys, compiled views, JIT-compiled login and page code) so
 * "idle" means ready and idle, and the growth after it is the sessions, not the code.
 */
async function warmUp(stack: AppStack, settings: BenchSettings): Promise<void> {
  await createSessions(stack.app.origin, stack.provider.origin, {
    count: settings.memoryWarmupLogins,
    concurrency: settings.loginConcurrency,
    deadline: Date.now() + settings.sessionCreationMaxSeconds * 1000,
  });
  const browser = new BenchBrowser();
  await signIn(browser, stack.app.origin);
  const cookie = browser.cookie(stack.app.origin, 'session') ?? '';
  for (let i = 0; i < 50; i += 1) {
    for (const [path, headers] of [
      ['/profile', { cookie }],
      ['/', {}],
    ] as const) {
      const response = await fetch(`${stack.app.origin}${path}`, { headers, redirect: 'manual' });
      await response.arrayBuffer();
    }
  }
}

const REST_PAGE_VIEWS = 20;
const REST_PAUSE_MS = 1000;

/**
 * Heap and RSS after GC of a server at rest: started, then (the app) one real sign-in, then each
 * page viewed REST_PAGE_VIEWS times, then a pause. Ready, with its caches filled, but holding no
 * load: what it costs to keep it running.
 */
export async function restingMemory(target: Child, signInFirst: boolean): Promise<MemoryReading> {
  let cookie = '';
  if (signInFirst) {
    const browser = new BenchBrowser();
    await signIn(browser, target.origin);
    cookie = browser.cookie(target.origin, 'session') ?? '';
  }
  for (let i = 0; i < REST_PAGE_VIEWS; i += 1) {
    for (const path of ['/', '/profile']) {
      const response = await fetch(`${target.origin}${path}`, { headers: { cookie }, redirect: 'manual' });
      await response.arrayBuffer();
    }
  }
  await new Promise((resolve) => setTimeout(resolve, REST_PAUSE_MS));
  return target.memory();
}

/**
 * Heap and RSS idle, then after `memoryLogins` sessions created through the real callback path
 * (bounded in time), and the bytes each stored session costs (in the app's heap, and in Redis).
 */
export async function measureMemory(
  stack: AppStack,
  settings: BenchSettings,
  redis?: RedisTarget,
): Promise<PendingExpiry> {
  await warmUp(stack, settings);
  // A build without a Redis store ignores REDIS_URL: say so now rather than after 10,000 logins.
  if (redis && (await redis.keys()) === 0) {
    throw new SessionsNotInRedisError(
      `this build does not keep sessions in Redis (REDIS_URL set, but Redis holds no key after ${settings.memoryWarmupLogins} logins)`,
    );
  }
  const idle = await stack.app.memory();
  const redisIdle = await redis?.usedMemory();
  // Read as they are, without a GC: a forced collection every few hundred logins would flatten the
  // very curve being drawn. The readings are asked for as the logins go and collected afterwards.
  const readings: Promise<CurvePoint>[] = [];
  const sample = (logins: number) => {
    readings.push(stack.app.usage().then(({ rss, heapUsed }) => ({ logins, rss, heapUsed })));
  };
  sample(0);
  const begin = Date.now();
  const cookies = await createSessions(stack.app.origin, stack.provider.origin, {
    count: settings.memoryLogins,
    concurrency: settings.loginConcurrency,
    deadline: begin + settings.sessionCreationMaxSeconds * 1000,
    onSession: (count) => {
      if (count % settings.memorySampleEvery === 0) sample(count);
    },
  });
  const end = Date.now();
  const curve = await Promise.all(readings);
  const afterLogins = await stack.app.memory();
  const sessions = cookies.length;
  const figures: MemoryFigures = {
    idle,
    curve,
    warmupLogins: settings.memoryWarmupLogins,
    afterLogins,
    sessions,
    loginSeconds: (end - begin) / 1000,
    heapBytesPerSession: (afterLogins.heapUsed - idle.heapUsed) / sessions,
  };
  if (redis && redisIdle !== undefined) {
    const afterBytes = await redis.usedMemory();
    figures.redis = {
      idleBytes: redisIdle,
      afterBytes,
      keys: await redis.keys(),
      bytesPerSession: (afterBytes - redisIdle) / sessions,
    };
  }
  const expiredAt = end + (settings.memorySessionTimeoutSeconds + PRUNE_INTERVAL_SECONDS + 5) * 1000;
  return { figures, expiredAt };
}

/** Waits (bounded: until every session has expired and been pruned) and measures again. */
export async function measureAfterExpiry(
  stack: AppStack,
  pending: PendingExpiry,
  redis?: RedisTarget,
): Promise<MemoryFigures> {
  const wait = pending.expiredAt - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const figures = { ...pending.figures, afterExpiry: await stack.app.memory() };
  if (redis && figures.redis) {
    figures.redis = {
      ...figures.redis,
      afterExpiryBytes: await redis.usedMemory(),
      keysAfterExpiry: await redis.keys(),
    };
  }
  return figures;
}
