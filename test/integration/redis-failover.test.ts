import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/run-doctor.js';
import { TestBrowser } from '../support/browser.js';
import { skipRedisTests } from '../support/redis-server.js';
import { startRedisSentinel, type SentinelSetup } from '../support/redis-sentinel.js';
import { reachCallback, signedInBrowser } from '../support/sign-in.js';
import { eventually } from '../support/wait.js';
import { startTestStack, type AppInstance, type TestStack } from '../support/test-stack.js';

const REDIS_TIMEOUT_MS = 500;
/** A request's own work on top of the store's deadline (sign-in pages, rendering, loopback). */
const REQUEST_MARGIN_MS = 1500;
const EVERY_MS = 100;
const STREAM_LIMIT_MS = 30_000;
/** Requests before the kill: the stream is steady, and what was written before is on the replica. */
const BEFORE_KILL = 10;
/** Consecutive 200s on each instance, after the Sentinels named the new primary, that end the stream. */
const SETTLED = 10;
/** Longest replication is held during the last sign-in before the kill. */
const HOLD_LIMIT_MS = 5000;

interface Answer {
  instance: 'A' | 'B';
  status: number;
  ms: number;
  at: number;
}

describe.skipIf(skipRedisTests)('sessions in Redis with Sentinel, through a failover', () => {
  let redis: SentinelSetup | undefined;
  let stack: TestStack | undefined;
  let b: AppInstance;

  beforeAll(async () => {
    redis = await startRedisSentinel();
    stack = await startTestStack({
      env: {
        REDIS_SENTINELS: redis.sentinels,
        REDIS_SENTINEL_NAME: redis.name,
        REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
      },
    });
    b = await stack.startInstance();
  }, 30_000);
  afterAll(async () => {
    await stack?.close();
    await redis?.close();
  });

  it('lets npm run doctor name the primary and the replica the Sentinels found, and fail for a name they do not know', async () => {
    if (!redis) throw new Error('Sentinel did not start');
    const env = { REDIS_SENTINELS: redis.sentinels, REDIS_SENTINEL_NAME: redis.name, SECRET: 'x'.repeat(32) };
    const found = (await runDoctor(env)).results.find((result) => result.title === 'Redis Sentinel');
    expect(found).toEqual({
      title: 'Redis Sentinel',
      status: 'pass',
      detail: `primary 127.0.0.1:${redis.primaryPort} (named by 3 of 3 Sentinels), replicas: 127.0.0.1:${redis.replicaPort}`,
    });

    const unknown = await runDoctor({ ...env, REDIS_SENTINEL_NAME: 'elsewhere' });
    const refused = unknown.results.find((result) => result.title === 'Redis Sentinel');
    expect(refused?.status).toBe('fail');
    expect(refused?.detail).toContain("does not know 'elsewhere'");
    expect(refused?.fix).toContain('REDIS_SENTINEL_NAME');
    expect(unknown.exitCode).toBe(1);
  }, 30_000);

  it('waits for the replica after a sign-in, signs in anyway, logged, when the replica does not answer in time, and waits again once it is back', async () => {
    if (!stack || !redis) throw new Error('the stack did not start');
    const waitsBefore = waitCalls(await redis.command(redis.primaryPort, ['INFO', 'commandstats']));
    await signedInBrowser(stack.appOrigin);
    expect(waitCalls(await redis.command(redis.primaryPort, ['INFO', 'commandstats']))).toBeGreaterThan(waitsBefore);
    expect(stack.logs.lines().some((line) => line.event === 'redis.replica_late')).toBe(false);

    redis.holdReplication();
    try {
      const { landing } = await signedInBrowser(stack.appOrigin);
      expect(landing.status).toBe(200);
    } finally {
      redis.releaseReplication();
    }
    expect(stack.logs.lines().some((line) => line.event === 'redis.replica_late')).toBe(true);
    // The replica catches up, and sign-ins wait for it again once the second without waiting is over.
    const setup = redis;
    const origin = stack.appOrigin;
    await eventually(async () => replicaInSync(setup), 5000, 'the replica to catch up');
    await eventually(
      async () => {
        const before = waitCalls(await setup.command(setup.primaryPort, ['INFO', 'commandstats']));
        await signedInBrowser(origin);
        return waitCalls(await setup.command(setup.primaryPort, ['INFO', 'commandstats'])) > before;
      },
      5000,
      'a sign-in to wait for the replica again',
    );
  });

  it('answers 503 only while the primary is replaced, then shows the same sessions on both instances (one signed in just before the kill), and an ended session stays ended', async () => {
    if (!stack || !redis) throw new Error('the stack did not start');
    const setup = redis;
    const origins = { A: stack.appOrigin, B: b.origin };
    const kept = await signedInBrowser(origins.A);
    const ended = await signedInBrowser(origins.A);
    // Answered only once the replica holds the end: checked on the replica before replication resumes.
    const sessionsOnReplica = async () => sessionKeys(await setup.command(setup.replicaPort, ['KEYS', 'session:*']));
    const before = await sessionsOnReplica();
    const logout = await answeredOnceReplicated(setup, async () => {
      const answer = await ended.browser.post(`${origins.A}/logout`, { _csrf: ended.csrf }, { origin: origins.A });
      expect(await sessionsOnReplica()).toBe(before - 1);
      return answer;
    });
    expect(logout.status).toBe(303);
    const asKept = { cookie: `session=${kept.cookie}` };

    const answers: Answer[] = [];
    const started = performance.now();
    let killedAt: number | undefined;
    let lastSignIn: string | undefined;
    let failedOverAt: number | undefined;
    for (let i = 0; performance.now() - started < STREAM_LIMIT_MS; i += 1) {
      if (i === BEFORE_KILL) {
        lastSignIn = await signInThenKillPrimary(setup, origins.A);
        killedAt = performance.now();
      }
      const instance = i % 2 === 0 ? 'A' : 'B';
      const sent = performance.now();
      const page = await new TestBrowser().get(`${origins[instance]}/profile`, asKept);
      answers.push({ instance, status: page.status, ms: Math.round(performance.now() - sent), at: sent });
      if (killedAt !== undefined && failedOverAt === undefined && (await setup.primaryNow()) === setup.replicaPort) {
        failedOverAt = performance.now();
      }
      if (failedOverAt !== undefined && settled(answers)) break;
      await sleep(EVERY_MS);
    }

    const refused = answers.filter((answer) => answer.status === 503);
    const window = refused.length > 0 ? Math.round((refused.at(-1)?.at ?? 0) - (refused[0]?.at ?? 0)) : 0;
    console.log(
      `failover: ${answers.length} requests, ${refused.length} answered 503 over ${window} ms; Sentinel named the new primary ${Math.round((failedOverAt ?? NaN) - (killedAt ?? NaN))} ms after the kill; slowest request ${Math.max(...answers.map((answer) => answer.ms))} ms`,
    );

    expect(failedOverAt).toBeDefined();
    for (const instance of ['A', 'B'] as const) {
      // 200s, then 503s while there is no primary, then 200s again: nothing else, in that order.
      const statuses = answers
        .filter((answer) => answer.instance === instance)
        .map((answer) => (answer.status === 200 ? 'o' : answer.status === 503 ? 'x' : String(answer.status)))
        .join('');
      expect(statuses).toMatch(/^o+x*o+$/);
    }
    expect(answers.slice(0, BEFORE_KILL).every((answer) => answer.status === 200)).toBe(true);
    for (const answer of answers) expect(answer.ms).toBeLessThan(REDIS_TIMEOUT_MS + REQUEST_MARGIN_MS);

    for (const logs of [stack.logs, b.logs]) {
      const primaries = logs.lines().filter((line) => line.event === 'redis.primary');
      expect(primaries.at(-1)?.primary).toBe(`127.0.0.1:${setup.replicaPort}`);
    }
    for (const origin of [origins.A, origins.B]) {
      const profile = await new TestBrowser().get(`${origin}/profile`, asKept);
      expect(profile.status).toBe(200);
      expect(profile.text).toContain('alice@example.com');
      const signedInLast = await new TestBrowser().get(`${origin}/profile`, {
        cookie: `session=${lastSignIn}`,
      });
      expect(signedInLast.status).toBe(200);
      const gone = await new TestBrowser().get(`${origin}/profile`, { cookie: `session=${ended.cookie}` });
      expect(gone.status).toBe(302);
      expect(gone.headers.location).toMatch(new RegExp(`^${stack.provider.origin}/authorize\\?`));
    }
  }, 60_000);
});

/**
 * Runs `send` with the primary's replication stream held short of the replica, released as soon
 * as the app is seen waiting for the replica (a client blocked on the primary: WAIT). An app that
 * answered without waiting answers while its write is still held: `send` checks, on receiving the
 * answer, what the replica holds (or kills the primary), before replication resumes.
 */
async function answeredOnceReplicated<T>(redis: SentinelSetup, send: () => Promise<T>): Promise<T> {
  redis.holdReplication();
  const answered = new AbortController();
  const releaseWhenWaited = (async () => {
    const started = performance.now();
    while (!answered.signal.aborted && performance.now() - started < HOLD_LIMIT_MS) {
      const info = await redis.command(redis.primaryPort, ['INFO', 'clients']).catch(() => '');
      if (Number(/blocked_clients:(\d+)/.exec(String(info))?.[1] ?? 0) > 0) {
        redis.releaseReplication();
        return;
      }
      await sleep(5);
    }
  })();
  try {
    return await send();
  } finally {
    answered.abort();
    await releaseWhenWaited;
    redis.releaseReplication();
  }
}

/**
 * Signs in, and kills the primary the moment the browser has the callback's answer: the replica
 * promoted must hold the session. Returns the session cookie.
 */
async function signInThenKillPrimary(redis: SentinelSetup, origin: string): Promise<string> {
  const browser = new TestBrowser();
  const { callbackUrl } = await reachCallback(browser, origin);
  const callback = await answeredOnceReplicated(redis, async () => {
    const answer = await browser.get(callbackUrl.href);
    redis.killPrimary();
    return answer;
  });
  expect(callback.status).toBe(302);
  const cookie = browser.cookies(origin).session;
  if (!cookie) throw new Error('no session cookie after sign-in');
  return cookie;
}

/** How many session records a KEYS reply lists. */
function sessionKeys(reply: unknown): number {
  return Array.isArray(reply) ? reply.length : 0;
}

/** How many times the primary ran WAIT, from INFO commandstats. */
function waitCalls(info: unknown): number {
  return Number(/cmdstat_wait:calls=(\d+)/.exec(String(info))?.[1] ?? 0);
}

/** The primary sees its replica online and acknowledging again (lag in seconds since its last ACK). */
async function replicaInSync(redis: SentinelSetup): Promise<boolean> {
  const info = String(await redis.command(redis.primaryPort, ['INFO', 'replication']));
  return /slave0:.*state=online,.*lag=[01]\b/.test(info);
}

/** The last SETTLED answers of each instance were 200s. */
function settled(answers: Answer[]): boolean {
  return (['A', 'B'] as const).every((instance) => {
    const last = answers.filter((answer) => answer.instance === instance).slice(-SETTLED);
    return last.length === SETTLED && last.every((answer) => answer.status === 200);
  });
}
