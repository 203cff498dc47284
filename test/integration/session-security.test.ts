import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredSession } from '../../src/sessions/session-data.js';
import { TestBrowser } from '../support/browser.js';
import { setCookies } from '../support/page-checks.js';
import { rawGet } from '../support/raw-request.js';
import { alice, bob, openLoginPage, reachCallback, signedInBrowser, signIn } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { SESSION_COOKIE_VALUE, storeIdOf } from '../support/stored-session.js';
import { sessionIdSigner } from '../../src/sessions/session-id.js';
import { deriveSecretKeys } from '../../src/sessions/session-keys.js';

describe('session integrity', () => {
  let stack: TestStack;
  const calls = (path: string) => stack.providerRequests.filter((requested) => requested === path).length;
  const idOf = storeIdOf;
  const stored = (id: string) =>
    new Promise<StoredSession | null | undefined>((resolve) => stack.store.get(id, (_err, value) => resolve(value)));

  /**
   * Completes a sign-in started in a fresh browser, presenting `cookie` as the session at
   * /callback; returns the session cookie the browser holds in the end.
   */
  async function completeSignInWith(cookie: string, user = alice) {
    const browser = new TestBrowser();
    const { callbackUrl } = await reachCallback(browser, stack.appOrigin, user);
    const callback = await browser.get(callbackUrl.href, { cookie: `session=${cookie}` });
    const { visited } = await browser.follow(callback);
    return { browser, landing: visited.at(-1), issued: browser.cookies(stack.appOrigin).session };
  }

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  describe('session fixation: a session id that existed before a sign-in is never the one after it', () => {
    it("gives a new id to a sign-in that lands on another user's session (a planted cookie), and deletes that session", async () => {
      const { cookie: planted } = await signedInBrowser(stack.appOrigin, { user: bob });
      const { issued, landing } = await completeSignInWith(planted, alice);
      expect(landing?.text).toContain('Welcome, Alice Liddell');
      expect(idOf(issued)).toMatch(SESSION_COOKIE_VALUE);
      expect(idOf(issued)).not.toBe(idOf(planted));
      expect(await stored(idOf(planted))).toBeNull();
    });

    it('gives a new id when the same user signs in again on top of her live session, and the old id stops working', async () => {
      const { cookie: before } = await signedInBrowser(stack.appOrigin);
      const { issued, landing } = await completeSignInWith(before, alice);
      expect(landing?.text).toContain('Welcome, Alice Liddell');
      expect(idOf(issued)).toMatch(SESSION_COOKIE_VALUE);
      expect(idOf(issued)).not.toBe(idOf(before));
      expect(await stored(idOf(before))).toBeNull();
      const replay = await new TestBrowser().get(`${stack.appOrigin}/profile`, { cookie: `session=${before}` });
      expect(replay.status).toBe(302);
    });

    it('completes a second sign-in on top of a live session in one response: the old session ends, the new one has a new id', async () => {
      const { cookie: before } = await signedInBrowser(stack.appOrigin);
      const browser = new TestBrowser();
      const { callbackUrl } = await reachCallback(browser, stack.appOrigin);

      const callback = await browser.get(callbackUrl.href, { cookie: `session=${before}` });

      expect(callback.status).toBe(302);
      expect(callback.headers.location).toBe('/');
      const issued = browser.cookies(stack.appOrigin).session;
      expect(idOf(issued)).toMatch(SESSION_COOKIE_VALUE);
      expect(idOf(issued)).not.toBe(idOf(before));
      expect(await stored(idOf(before))).toBeNull();
      expect((await new TestBrowser().get(`${stack.appOrigin}/profile`, { cookie: `session=${before}` })).status).toBe(
        302,
      );
      expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    });

    it('leaves the session alone when a signed-in visitor replays an old callback URL (the back button)', async () => {
      const browser = new TestBrowser();
      const { callbackUrl } = await signIn(browser, stack.appOrigin);
      const cookie = browser.cookies(stack.appOrigin).session;
      const replay = await browser.get(callbackUrl.href);
      expect(replay.status).toBe(302);
      expect(browser.cookies(stack.appOrigin).session).toBe(cookie);
      expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    });
  });

  describe('a callback that does not complete a sign-in leaves a live session alone', () => {
    /** The transaction cookie of a sign-in that was started in this browser and never finished. */
    async function abandonedSignIn(browser: TestBrowser): Promise<string> {
      await openLoginPage(browser, `${stack.appOrigin}/login`);
      return browser.cookies(stack.appOrigin).auth_verification ?? '';
    }

    it.each([
      ['an empty', () => Promise.resolve('')],
      ['a garbage', () => Promise.resolve('garbage')],
      ['a stale', abandonedSignIn],
    ])(
      'keeps the session of a signed-in visitor who reaches /callback with %s transaction cookie',
      async (_kind, transactionOf) => {
        const browser = new TestBrowser();
        const transaction = await transactionOf(browser);
        const { cookie } = await signedInBrowser(stack.appOrigin, { browser });

        const response = await rawGet(stack.appOrigin, '/callback?code=x&state=y', {
          cookie: `session=${cookie}; auth_verification=${transaction}`,
        });

        expect(response.status).toBeLessThan(500);
        expect(setCookies(response.headers).filter((set) => set.name === 'session')).toEqual([]);
        expect(await stored(idOf(cookie))).not.toBeNull();
        expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
      },
    );
  });

  describe('a session cookie that was tampered with', () => {
    it.each([
      ['a changed signature', (cookie: string) => `${cookie.slice(0, -2)}${cookie.endsWith('AA') ? 'BB' : 'AA'}`],
      ['another id under the same signature', (cookie: string) => `${'0'.repeat(32)}${cookie.slice(32)}`],
      ['no signature', (cookie: string) => cookie.split('.')[0] ?? ''],
      [
        'the signature of another secret',
        (cookie: string) =>
          sessionIdSigner(deriveSecretKeys(['x'.repeat(32)]))
            .generate()
            .replace(/^[0-9a-f]{32}/, cookie.slice(0, 32)),
      ],
    ])('counts as signed out with %s (no error)', async (_case, tamper) => {
      const { cookie } = await signedInBrowser(stack.appOrigin);
      const response = await new TestBrowser().get(`${stack.appOrigin}/profile`, {
        cookie: `session=${tamper(cookie)}`,
      });
      expect(response.status).toBe(302);
      expect(response.headers.location).toMatch(new RegExp(`^${stack.provider.origin}/authorize\\?`));
    });
  });

  it("refuses an attacker's authorization response delivered to a victim's browser (login CSRF), without redeeming the code", async () => {
    const attacker = new TestBrowser();
    const { callbackUrl: attackersCallback } = await reachCallback(attacker, stack.appOrigin, bob);
    const victim = new TestBrowser();
    await openLoginPage(victim, `${stack.appOrigin}/login`);
    const tokenCalls = calls('/oauth/token');

    const page = await victim.get(attackersCallback.href);

    expect(page.status).toBe(400);
    expect(calls('/oauth/token')).toBe(tokenCalls);
    expect(setCookies(page.headers).filter((cookie) => cookie.name === 'session' && cookie.value !== '')).toEqual([]);
    expect((await victim.get(`${stack.appOrigin}/`)).text).toContain('>Log in<');
  });
});
