import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../support/browser.js';
import { skipRedisTests, type RedisServer } from '../support/redis-server.js';
import { startRedisTestStack, type RedisTestStack } from '../support/redis-test-stack.js';
import { signedInBrowser } from '../support/sign-in.js';
import { storeAnswers } from '../../src/sessions/create-session-store.js';
import { startTestStack, type AppInstance, type TestStack } from '../support/test-stack.js';

const LIMIT = 3;

const login = (origin: string) => new TestBrowser().get(`${origin}/login`);
const junkLogout = (origin: string) =>
  new TestBrowser().post(`${origin}/backchannel-logout`, { logout_token: `junk.${randomBytes(8).toString('hex')}.x` });

/** The `remaining` of the standard RateLimit header: what the count said when this request was let through. */
function remainingOf(page: Page): number | undefined {
  const remaining = /remaining=(\d+)/.exec(String(page.headers.ratelimit))?.[1];
  return remaining === undefined ? undefined : Number(remaining);
}

/** Sends one request after the other, each to the next origin in turn; returns the statuses. */
async function statusesOf(origins: string[], send: (origin: string) => Promise<Page>): Promise<number[]> {
  const statuses: number[] = [];
  for (const origin of origins) statuses.push((await send(origin)).status);
  return statuses;
}

const storeUnavailableWarnings = (logs: TestStack['logs']) =>
  logs.lines().filter((line) => line.event === 'rate_limit.store_unavailable');

describe.skipIf(skipRedisTests)('rate limits with REDIS_URL: counted in Redis, shared by every instance', () => {
  let redis: RedisServer | undefined;
  let stack: TestStack;
  let running: RedisTestStack | undefined;
  let second: AppInstance;
  let a: string;
  let b: string;

  const server = () => {
    if (!redis) throw new Error('redis-server did not start');
    return redis;
  };
  /** Waits (bounded) until both instances' clients are connected again. */
  const reconnected = async () => {
    for (const store of [stack.store, second.store])
      if (!(await storeAnswers(store, 5000))) throw new Error('an instance did not reconnect to Redis within 5 s');
  };

  beforeAll(async () => {
    running = await startRedisTestStack({
      env: {
        REDIS_TIMEOUT_MS: '500',
        SIGN_IN_RATE_LIMIT: String(LIMIT),
        BACKCHANNEL_LOGOUT_RATE_LIMIT: String(LIMIT),
      },
    });
    ({ redis, stack } = running);
    second = await stack.startInstance();
    a = stack.appOrigin;
    b = second.origin;
  });
  afterAll(() => running?.close());
  // Every test starts with no counts (they would otherwise last a minute), and both instances connected.
  beforeEach(async () => {
    await server().command(['FLUSHALL']);
    await reconnected();
  });

  it('reaches the /login limit through both instances together, and refuses the next request on either', async () => {
    const allowed = [await login(a), await login(b), await login(a)];
    expect(allowed.map((page) => page.status)).toEqual([302, 302, 302]);
    expect(allowed.map(remainingOf)).toEqual([2, 1, 0]);
    expect((await login(b)).status).toBe(429);
    expect((await login(a)).status).toBe(429);

    // Each limiter counts under its own prefix: /callback still has its whole allowance.
    expect((await new TestBrowser().get(`${b}/callback?code=guess&state=guess`)).status).toBe(400);
    const keys = (await server().command(['KEYS', 'rate-limit:*'])) as string[];
    expect(keys.map((key) => key.replace(/:[^:]*$/, ':<address>')).sort()).toEqual([
      'rate-limit:sign-in:callback:<address>',
      'rate-limit:sign-in:login:<address>',
    ]);
  });

  it('still remembers the count after the app restarts', async () => {
    expect(await statusesOf([a, a, a], login)).toEqual([302, 302, 302]);
    stack.restartApp();
    expect((await login(a)).status).toBe(429);
  });

  it('counts back-channel logout refusals through both instances together', async () => {
    expect(await statusesOf([a, b, a, b, a], junkLogout)).toEqual([400, 400, 400, 429, 429]);
    const keys = (await server().command(['KEYS', 'rate-limit:backchannel:*'])) as string[];
    expect(keys).toHaveLength(1);
  });

  it('lets sign-ins through uncounted while Redis is down, with one warning per instance, while a signed-in page answers 503; counts again once Redis is back', async () => {
    const { browser } = await signedInBrowser(a);
    const warnedBefore = [stack.logs, second.logs].map((logs) => storeUnavailableWarnings(logs).length);
    await server().stop();
    try {
      expect(await statusesOf([a, b, a, b, a, b, a, b], login)).toEqual(Array.from({ length: 8 }, () => 302));
      expect((await browser.get(`${a}/profile`)).status).toBe(503);
    } finally {
      await server().start();
    }

    for (const [at, logs] of [stack.logs, second.logs].entries()) {
      const warnings = storeUnavailableWarnings(logs).slice(warnedBefore[at]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 40, uncounted: 1 });
      expect(JSON.stringify(warnings[0])).not.toMatch(/\n\s+at |stack/);
      // The library's own line for every request it let through stays out of the log.
      expect(logs.lines().filter((line) => line.library === 'express-rate-limit')).toEqual([]);
    }

    // A restarted Redis has lost the limiter's scripts too: they are loaded again by themselves.
    await reconnected();
    expect(await statusesOf([a, b, a, b, a], login)).toEqual([302, 302, 302, 429, 429]);
  });

  it('answers /login uncounted after the command timeout, instead of waiting, while Redis hangs', async () => {
    server().freeze();
    try {
      expect((await login(a)).status).toBe(302);
    } finally {
      server().thaw();
    }
  });

  it('counts in an app that was started while Redis was down, once Redis is back', async () => {
    await server().stop();
    try {
      stack.restartApp();
      expect((await login(a)).status).toBe(302);
    } finally {
      await server().start();
    }
    await reconnected();
    expect(await statusesOf([a, a, a, a], login)).toEqual([302, 302, 302, 429]);
  });
});

describe('rate limits without REDIS_URL', () => {
  let stack: TestStack;
  let second: AppInstance;
  beforeAll(async () => {
    stack = await startTestStack({ env: { SIGN_IN_RATE_LIMIT: String(LIMIT) } });
    second = await stack.startInstance();
  });
  afterAll(() => stack.close());

  it('count in each process on its own, as they did before Redis', async () => {
    expect(await statusesOf([stack.appOrigin, stack.appOrigin, stack.appOrigin], login)).toEqual([302, 302, 302]);
    expect((await login(stack.appOrigin)).status).toBe(429);
    expect((await login(second.origin)).status).toBe(302);
  });
});
