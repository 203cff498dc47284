import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../support/browser.js';
import { setCookies } from '../support/page-checks.js';
import { alice, signIn } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { recordTokens } from '../support/token-recorder.js';
import { stylesheetPath } from '../support/assets.js';
import { SESSION_COOKIE_VALUE } from '../support/stored-session.js';

/** A cookie value as it could be read: raw, percent-decoded, and every dot-separated part base64url-decoded. */
function readableForms(value: string): string[] {
  const decoded = decodeURIComponent(value);
  return [value, decoded, ...decoded.split('.').map((part) => Buffer.from(part, 'base64url').toString('latin1'))];
}

describe('served over https', () => {
  let stack: TestStack;
  const recorder = recordTokens();
  let browser: TestBrowser;
  let result: Awaited<ReturnType<typeof signIn>>;
  const appCookies = () =>
    browser.history.filter((page) => page.url.startsWith(stack.appOrigin)).flatMap((page) => setCookies(page.headers));

  beforeAll(async () => {
    stack = await startTestStack({ https: true, providerMiddleware: [recorder.middleware] });
    browser = stack.newBrowser();
    result = await signIn(browser, stack.appOrigin, alice, '/profile');
  });
  afterAll(() => stack.close());

  it('signs in end to end over TLS', () => {
    expect(stack.appOrigin).toMatch(/^https:\/\/localhost:\d+$/);
    expect(result.landing.status).toBe(200);
    expect(result.landing.text).toContain('<h1>Alice Liddell</h1>');
  });

  it('stores only __Host- cookies: Secure, HttpOnly, SameSite=Lax, Path=/, without Domain', () => {
    const cookies = appCookies();
    // Deletions (empty and expired, such as the library's skipSilentLogin at the callback) hold nothing.
    const stored = cookies.filter((cookie) => cookie.value !== '');
    expect(new Set(stored.map((cookie) => cookie.name))).toEqual(
      new Set(['__Host-auth_verification', '__Host-session']),
    );
    for (const cookie of stored) expect(cookie.attributes).toMatchObject({ httponly: true });
    for (const cookie of cookies) {
      expect(cookie.attributes).toMatchObject({ secure: true, samesite: 'Lax', path: '/' });
      expect(cookie.attributes).not.toHaveProperty('domain');
    }
  });

  it('keeps only a signed random id in the session cookie and clears the transaction cookie at the callback', () => {
    const fromCallback = setCookies(result.callback.headers);
    expect(fromCallback.find((cookie) => cookie.name === '__Host-session')?.value).toMatch(SESSION_COOKIE_VALUE);
    expect(fromCallback.find((cookie) => cookie.name === '__Host-auth_verification')?.value).toBe('');
  });

  it('puts no token and no claim in any cookie, however decoded', () => {
    const secrets = [...recorder.tokens(), alice.email, 'Alice Liddell', 'auth0|64f1c0ffee0000000000a11c'];
    expect(recorder.tokens().length).toBeGreaterThanOrEqual(2);
    const readable = appCookies().flatMap((cookie) => readableForms(cookie.value));
    for (const secret of secrets) {
      expect(readable.filter((text) => text.includes(secret))).toEqual([]);
    }
  });

  it.each(['/', '/login', stylesheetPath(), '/no/such/page'])(
    'sends HSTS for two years with subdomains on %s',
    async (path) => {
      const response = await stack.newBrowser().get(`${stack.appOrigin}${path}`);
      expect(response.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
    },
  );
});
