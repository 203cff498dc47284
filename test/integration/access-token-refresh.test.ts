import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { refreshAtDevProvider, revokeAtDevProvider } from '../support/dev-provider-tokens.js';
import { alice, bob, csrfTokenIn, signedInBrowser } from '../support/sign-in.js';
import { storedSession } from '../support/stored-session.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import {
  currentRefreshToken,
  expireAccessToken,
  SHORT_REFRESHED_SECONDS,
  tokenEndpoint,
  untilRefreshedTokenIsDue,
} from '../support/token-endpoint.js';
import { eventually } from '../support/wait.js';

describe('access tokens that stay fresh', () => {
  const endpoint = tokenEndpoint();
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      api: true,
      env: { PROVIDER_TIMEOUT_MS: '1000' },
      providerMiddleware: [endpoint.middleware],
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    endpoint.fault.mode = 'none';
    endpoint.lifetime.refreshedSeconds = undefined;
  });

  it('keeps the tokens in the session, sealed, and never in a page or a cookie', async () => {
    const { browser, cookie } = await signedInBrowser(stack.appOrigin, { user: alice });
    const stored = await storedSession(stack.store, cookie);
    const { access_token: accessToken, refresh_token: refreshToken } = stored?.data ?? {};
    expect(accessToken).toMatch(/^ey/);
    expect(refreshToken).toBeTruthy();
    const pages = await Promise.all(
      ['/profile', '/account', '/sessions'].map((path) => browser.get(`${stack.appOrigin}${path}`)),
    );
    for (const page of pages) {
      expect(page.text).not.toContain(accessToken);
      expect(page.text).not.toContain(refreshToken);
    }
    expect(JSON.stringify(browser.cookies(stack.appOrigin))).not.toContain(String(refreshToken));
    expect(stack.logs.text()).not.toContain(String(refreshToken));
    expect(stack.logs.text()).not.toContain(String(accessToken));
  });

  it('does nothing with tokens on a page that does not call the API', async () => {
    const { browser, cookie } = await signedInBrowser(stack.appOrigin, { user: alice });
    await expireAccessToken(stack.store, cookie);
    const before = endpoint.seen.refreshes;
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    expect((await browser.get(`${stack.appOrigin}/sessions`)).status).toBe(200);
    expect(endpoint.seen.refreshes).toBe(before);
  });

  it('refreshes an expired access token once, then uses the new one; with rotation, each refresh uses the newest refresh token', async () => {
    const { browser, cookie } = await signedInBrowser(stack.appOrigin, { user: bob });
    const first = await currentRefreshToken(stack.store, cookie);
    const before = endpoint.seen.refreshes;

    await expireAccessToken(stack.store, cookie);
    endpoint.lifetime.refreshedSeconds = SHORT_REFRESHED_SECONDS;
    expect((await browser.get(`${stack.appOrigin}/account`)).status).toBe(200);
    const refreshedAt = Date.now();
    expect(endpoint.seen.refreshes).toBe(before + 1);
    expect((await browser.get(`${stack.appOrigin}/account`)).status).toBe(200);
    expect(endpoint.seen.refreshes).toBe(before + 1);
    const second = await currentRefreshToken(stack.store, cookie);
    expect(second).not.toBe(first);

    // The provider rotated it: a second refresh with the first token would be reuse (and revoke all).
    await untilRefreshedTokenIsDue(refreshedAt);
    const page = await browser.get(`${stack.appOrigin}/account`);
    expect(page.status).toBe(200);
    const saved = await browser.post(`${stack.appOrigin}/account`, {
      _csrf: csrfTokenIn(page),
      preferredName: 'Bobby',
      timeZone: '',
    });
    expect(saved.status).toBe(303);
    expect(endpoint.seen.refreshes).toBe(before + 2);
    expect(await currentRefreshToken(stack.store, cookie)).not.toBe(second);
    expect((await browser.get(`${stack.appOrigin}/profile`)).text).toContain('Hi, Bobby');
  });

  it('ends the session with "Please sign in again" when the provider refuses the refresh token', async () => {
    const { browser, cookie } = await signedInBrowser(stack.appOrigin, { user: alice });
    expect(await revokeAtDevProvider(stack.provider, await currentRefreshToken(stack.store, cookie))).toBe(200);
    await expireAccessToken(stack.store, cookie);
    const page = await browser.get(`${stack.appOrigin}/account`);
    expect(page.status).toBe(401);
    expect(page.text).toContain('Please sign in again');
    expect(page.text).toContain('<a class="button" href="/login">Try again</a>');
    expect(await storedSession(stack.store, cookie)).toBeNull();
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
  });

  it('keeps the session and answers 502 while the provider is down, and recovers by itself', async () => {
    const { browser, cookie } = await signedInBrowser(stack.appOrigin, { user: alice });
    await expireAccessToken(stack.store, cookie);
    endpoint.fault.mode = 'down';
    const down = await browser.get(`${stack.appOrigin}/account`);
    expect(down.status).toBe(502);
    expect(down.text).toContain('You are still signed in');
    expect(down.text).not.toContain('temporarily_unavailable');
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    endpoint.fault.mode = 'none';
    expect((await browser.get(`${stack.appOrigin}/account`)).status).toBe(200);
  });

  it('answers 504 when the provider is slower than PROVIDER_TIMEOUT_MS, and keeps the session', async () => {
    const { browser, cookie } = await signedInBrowser(stack.appOrigin, { user: bob });
    await expireAccessToken(stack.store, cookie);
    endpoint.fault.mode = 'slow';
    const slow = await browser.get(`${stack.appOrigin}/account`);
    expect(slow.status).toBe(504);
    expect(slow.text).toContain('You are still signed in');
    endpoint.fault.mode = 'none';
    expect((await browser.get(`${stack.appOrigin}/account`)).status).toBe(200);
  });

  it('revokes the refresh token at logout, without waiting for it', async () => {
    const { browser, cookie, csrf } = await signedInBrowser(stack.appOrigin, { user: alice });
    const refreshToken = await currentRefreshToken(stack.store, cookie);
    const before = endpoint.seen.revocations;
    const out = await browser.post(`${stack.appOrigin}/logout`, { _csrf: csrf });
    expect(out.status).toBe(303);
    await eventually(() => endpoint.seen.revocations > before, 5000, 'the revocation at the provider');
    expect((await refreshAtDevProvider(stack.provider, refreshToken)).body.error).toBe('invalid_grant');
  });

  it('revokes the refresh token of a session ended on /sessions', async () => {
    const phone = await signedInBrowser(stack.appOrigin, { user: bob });
    const laptop = await signedInBrowser(stack.appOrigin, { user: bob });
    const phoneToken = await currentRefreshToken(stack.store, phone.cookie);
    const before = endpoint.seen.revocations;
    const page = await laptop.browser.get(`${stack.appOrigin}/sessions`);
    const ended = await laptop.browser.post(`${stack.appOrigin}/sessions/end-others`, { _csrf: csrfTokenIn(page) });
    expect(ended.status).toBe(303);
    await eventually(() => endpoint.seen.revocations > before, 5000, 'the revocation at the provider');
    expect((await refreshAtDevProvider(stack.provider, phoneToken)).body.error).toBe('invalid_grant');
    expect((await laptop.browser.get(`${stack.appOrigin}/account`)).status).toBe(200);
  });
});
