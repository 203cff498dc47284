import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { providerLogoutToken } from '../support/provider-tokens.js';
import { skipRedisTests } from '../support/redis-server.js';
import { startRedisTestStack, type RedisTestStack } from '../support/redis-test-stack.js';
import { alice, bob, csrfTokenIn, signedInBrowser } from '../support/sign-in.js';
import { storedSession } from '../support/stored-session.js';
import type { AppInstance, TestStack } from '../support/test-stack.js';
import { expireAccessToken, tokenEndpoint } from '../support/token-endpoint.js';

/*
 * Attacks on the access tokens an instance keeps at hand after a refresh (sign-in/recent-tokens.ts):
 * a session ended on another instance must get no token from this one's memory, and no session
 * another session's or another user's token. Two instances on one Redis; /account calls the
 * Management API with req.accessToken(), which refuses a token of another user.
 */

const BOB_SUB = 'auth0|64f1c0ffee00000000000b0b';

describe.skipIf(skipRedisTests)('tokens kept at hand by one instance, sessions ended on another', () => {
  const endpoint = tokenEndpoint();
  let stack: TestStack;
  let running: RedisTestStack | undefined;
  let b: AppInstance;
  beforeAll(async () => {
    running = await startRedisTestStack({
      api: true,
      env: { MAX_SESSIONS_PER_USER: '3' },
      providerMiddleware: [endpoint.middleware],
    });
    ({ stack } = running);
    b = await stack.startInstance();
  });
  afterAll(() => running?.close());

  const account = (origin: string, cookie: string) =>
    new TestBrowser().get(`${origin}/account`, { cookie: `session=${cookie}` });

  /** A session whose token instance A refreshed and now keeps at hand (a day-long refreshed token). */
  async function refreshedOnA(user = alice) {
    const signedIn = await signedInBrowser(stack.appOrigin, { user });
    await expireAccessToken(stack.store, signedIn.cookie);
    const before = endpoint.seen.refreshes;
    expect((await account(stack.appOrigin, signedIn.cookie)).status).toBe(200);
    expect(endpoint.seen.refreshes).toBe(before + 1);
    // Kept at hand: the next page needs neither a refresh nor the record (checked by the unit tests).
    expect((await account(stack.appOrigin, signedIn.cookie)).status).toBe(200);
    return signedIn;
  }

  it('gives each of two users refreshed on the same instance their own token', async () => {
    const a = await refreshedOnA(alice);
    const bb = await refreshedOnA(bob);
    for (const [cookie, name] of [
      [a.cookie, 'Alice'],
      [bb.cookie, 'Bob'],
      [a.cookie, 'Alice'],
    ] as const) {
      const page = await account(stack.appOrigin, cookie);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`Hi, ${name}`);
    }
  });

  it('gives no token to a session logged out on the other instance', async () => {
    const { cookie } = await refreshedOnA();
    const onB = await new TestBrowser().get(`${b.origin}/profile`, { cookie: `session=${cookie}` });
    const logout = await new TestBrowser().post(
      `${b.origin}/logout`,
      { _csrf: csrfTokenIn(onB) },
      { cookie: `session=${cookie}` },
    );
    expect(logout.status).toBe(303);
    expect(await storedSession(stack.store, cookie)).toBeNull();
    const replayed = await account(stack.appOrigin, cookie);
    expect(replayed.status).not.toBe(200);
    expect(replayed.text).not.toContain('Hi, Alice');
  });

  it('gives no token to a session ended from another session on /sessions, on the other instance', async () => {
    const { cookie } = await refreshedOnA();
    const other = await signedInBrowser(stack.appOrigin);
    const ended = await new TestBrowser().post(
      `${b.origin}/sessions/end-others`,
      { _csrf: other.csrf },
      { cookie: `session=${other.cookie}`, origin: stack.appOrigin },
    );
    expect(ended.status).toBe(303);
    expect(await storedSession(stack.store, cookie)).toBeNull();
    const replayed = await account(stack.appOrigin, cookie);
    expect(replayed.status).not.toBe(200);
    await other.browser.post(`${stack.appOrigin}/logout`, { _csrf: other.csrf });
  });

  it('gives no token to a session ended by a back-channel logout received by the other instance', async () => {
    const { cookie } = await refreshedOnA(bob);
    const sid = (await storedSession(stack.store, cookie))?.data.sid;
    const answer = await new TestBrowser().post(`${b.origin}/backchannel-logout`, {
      logout_token: await providerLogoutToken(stack.provider, { sub: BOB_SUB, sid }),
    });
    expect(answer.status).toBe(200);
    const replayed = await account(stack.appOrigin, cookie);
    expect(replayed.status).not.toBe(200);
  });

  it('gives no token to a session ended by the per-user cap', async () => {
    const { cookie } = await refreshedOnA();
    const later = [];
    for (let i = 0; i < 3; i += 1) later.push(await signedInBrowser(stack.appOrigin, { browser: new TestBrowser() }));
    expect(await storedSession(stack.store, cookie)).toBeNull();
    const replayed = await account(stack.appOrigin, cookie);
    expect(replayed.status).not.toBe(200);
    for (const { browser, csrf } of later) await browser.post(`${stack.appOrigin}/logout`, { _csrf: csrf });
  });
});
