import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { skipRedisTests, type RedisServer } from '../support/redis-server.js';
import { startRedisTestStack, type RedisTestStack } from '../support/redis-test-stack.js';
import { logOutAtProvider, signedInBrowser } from '../support/sign-in.js';
import type { AppInstance, TestStack } from '../support/test-stack.js';
import { redisKeyOf, storedSession } from '../support/stored-session.js';

describe.skipIf(skipRedisTests)('two app instances sharing one Redis', () => {
  let redis: RedisServer | undefined;
  let stack: TestStack;
  let running: RedisTestStack | undefined;
  let a: string;
  let b: AppInstance;

  beforeAll(async () => {
    running = await startRedisTestStack();
    ({ redis, stack } = running);
    a = stack.appOrigin;
    b = await stack.startInstance();
  });
  afterAll(() => running?.close());

  it('keeps the session in Redis under a hash of its id, sealed, expiring with the idle timeout', async () => {
    const { cookie } = await signedInBrowser(a);
    const key = redisKeyOf(stack.store, cookie);
    const ttl = Number(await redis?.command(['TTL', key]));
    expect(ttl).toBeGreaterThan(1790);
    expect(ttl).toBeLessThanOrEqual(1800);
    expect(String(await redis?.command(['GET', key]))).not.toContain('alice@example.com');
    expect((await storedSession(b.store, cookie))?.data.userinfo?.email).toBe('alice@example.com');
  });

  it('signs in through A, shows the profile through B, logs out through B, and A forgets the session', async () => {
    const { browser, cookie, csrf } = await signedInBrowser(a);
    const asBrowser = { cookie: `session=${cookie}` };

    const profileOnB = await new TestBrowser().get(`${b.origin}/profile`, asBrowser);
    expect(profileOnB.status).toBe(200);
    expect(profileOnB.text).toContain('alice@example.com');

    const logout = await new TestBrowser().post(`${b.origin}/logout`, { _csrf: csrf }, { ...asBrowser, origin: a });
    expect(logout.status).toBe(303);

    const profileOnA = await browser.get(`${a}/profile`);
    expect(profileOnA.status).toBe(302);
    expect(profileOnA.headers.location).toMatch(new RegExp(`^${stack.provider.origin}/authorize\\?`));
    expect(await redis?.command(['EXISTS', redisKeyOf(stack.store, cookie)])).toBe(0);
  });

  it('ends the session on every instance when the provider session ends (back-channel logout to A)', async () => {
    const { browser, cookie } = await signedInBrowser(a);
    const asBrowser = { cookie: `session=${cookie}` };
    expect((await new TestBrowser().get(`${b.origin}/profile`, asBrowser)).status).toBe(200);

    const confirmed = await logOutAtProvider(browser, stack.provider.origin, stack.config.issuer.clientID);
    expect(confirmed.status).toBe(303);
    expect(stack.logs.lines().some((line) => line.event === 'auth.backchannel_logout' && line.ended === 1)).toBe(true);

    expect((await new TestBrowser().get(`${b.origin}/profile`, asBrowser)).status).toBe(302);
    expect((await browser.get(`${a}/profile`)).status).toBe(302);
  });

  it("lets a user end their other session from B's sessions page, which A then no longer accepts", async () => {
    const laptop = await signedInBrowser(a);
    const phone = await signedInBrowser(a);
    const onB = new TestBrowser();
    const page = await onB.get(`${b.origin}/sessions`, { cookie: `session=${laptop.cookie}` });
    expect(page.status).toBe(200);
    const handles = [...page.text.matchAll(/name="session" value="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(handles.length).toBeGreaterThanOrEqual(1);

    const ended = await onB.post(
      `${b.origin}/sessions/end-others`,
      { _csrf: laptop.csrf },
      { cookie: `session=${laptop.cookie}`, origin: a },
    );
    expect(ended.status).toBe(303);
    expect((await phone.browser.get(`${a}/profile`)).status).toBe(302);
    expect((await laptop.browser.get(`${a}/profile`)).status).toBe(200);
  });
});
