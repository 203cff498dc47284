import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { skipRedisTests, startRedisServer, type RedisServer } from '../support/redis-server.js';
import { signedInBrowser } from '../support/sign-in.js';
import { storedSession } from '../support/stored-session.js';
import { startTestStack, type AppInstance, type TestStack } from '../support/test-stack.js';
import {
  currentRefreshToken,
  expireAccessToken,
  SHORT_REFRESHED_SECONDS,
  tokenEndpoint,
  untilRefreshedTokenIsDue,
} from '../support/token-endpoint.js';

const CONCURRENT_REQUESTS = 20;

/**
 * With refresh-token rotation and reuse detection (Auth0's, and the embedded provider's), a second
 * refresh with a token already used revokes every token of the family and signs the user out. So
 * many requests of one session needing a refresh at once must make exactly one.
 */
describe('many requests of one session needing a refresh at the same moment', () => {
  const endpoint = tokenEndpoint();
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ api: true, providerMiddleware: [endpoint.middleware] });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    endpoint.fault.mode = 'unhurried';
  });

  it('make one refresh at the provider on one instance, and all succeed', async () => {
    const { cookie } = await signedInBrowser(stack.appOrigin);
    await expireAccessToken(stack.store, cookie);
    const before = endpoint.seen.refreshes;
    const refreshLogs = () => stack.logs.lines().filter((line) => line.event === 'auth.refresh.success');
    const loggedBefore = refreshLogs().length;
    const pages = await Promise.all(
      Array.from({ length: CONCURRENT_REQUESTS }, () =>
        new TestBrowser().get(`${stack.appOrigin}/account`, { cookie: `session=${cookie}` }),
      ),
    );
    expect(pages.map((page) => page.status)).toEqual(Array(CONCURRENT_REQUESTS).fill(200));
    expect(endpoint.seen.refreshes).toBe(before + 1);
    // One line for the one refresh, naming the user by their log id only.
    const logged = refreshLogs().slice(loggedBefore);
    expect(logged).toHaveLength(1);
    expect(String(logged[0]?.user)).toMatch(/^[\w-]{10,}$/);
  });
});

describe.skipIf(skipRedisTests)('two instances sharing Redis, twenty requests of one session needing a refresh', () => {
  const endpoint = tokenEndpoint();
  let redis: RedisServer | undefined;
  let stack: TestStack;
  let b: AppInstance;
  beforeAll(async () => {
    redis = await startRedisServer();
    stack = await startTestStack({
      api: true,
      env: { REDIS_URL: redis.url },
      providerMiddleware: [endpoint.middleware],
    });
    b = await stack.startInstance();
  });
  afterAll(async () => {
    await stack.close();
    await redis?.close();
  });

  it('make exactly one refresh at the provider; every request succeeds and the user stays signed in', async () => {
    const { cookie } = await signedInBrowser(stack.appOrigin);
    const signedInWith = await currentRefreshToken(stack.store, cookie);
    endpoint.lifetime.refreshedSeconds = SHORT_REFRESHED_SECONDS;
    let refreshedAt = 0;
    for (let round = 1; round <= 3; round += 1) {
      // The sign-in's token in the session record first, then each round's refreshed one, by time.
      if (round === 1) await expireAccessToken(stack.store, cookie);
      else await untilRefreshedTokenIsDue(refreshedAt);
      endpoint.fault.mode = 'unhurried';
      const before = endpoint.seen.refreshes;
      const origins = Array.from({ length: CONCURRENT_REQUESTS }, (_, i) => (i % 2 === 0 ? stack.appOrigin : b.origin));
      const pages = await Promise.all(
        origins.map((origin) => new TestBrowser().get(`${origin}/account`, { cookie: `session=${cookie}` })),
      );
      refreshedAt = Date.now();
      expect(pages.map((page) => page.status)).toEqual(Array(CONCURRENT_REQUESTS).fill(200));
      expect(endpoint.seen.refreshes).toBe(before + 1);
    }
    // Rotated every round, never reused: the family is alive and the session with it.
    expect(await currentRefreshToken(b.store, cookie)).not.toBe(signedInWith);
    expect(await storedSession(b.store, cookie)).not.toBeNull();
    const profile = await new TestBrowser().get(`${b.origin}/profile`, { cookie: `session=${cookie}` });
    expect(profile.status).toBe(200);
    // And the token record in Redis is sealed: no token readable there.
    const keys = (await redis?.command(['KEYS', 'session:tokens.*'])) as string[];
    expect(keys.length).toBeGreaterThan(0);
    const raw = String(await redis?.command(['GET', keys[0] ?? '']));
    expect(raw).not.toMatch(/eyJ|refresh/);
  });
});
