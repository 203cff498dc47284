import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../support/browser.js';
import { FOREIGN_RETURN_TO } from '../support/open-redirects.js';
import { signedInBrowser } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/** Where the provider will send the browser back after signing in: the returnTo inside `state`. */
function returnToOf(authorizationRedirect: Page): unknown {
  const state = new URL(String(authorizationRedirect.headers.location)).searchParams.get('state') ?? '';
  return (JSON.parse(Buffer.from(state, 'base64url').toString()) as { returnTo?: unknown }).returnTo;
}

const hostile = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', forwarded: 'host=evil.example' };

describe('redirects', () => {
  // Each group has its own stack: together they would exceed the sign-in rate limit of one address.
  describe('returnTo on /login for a visitor (open redirects)', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack();
    });
    afterAll(() => stack.close());

    it.each(['/profile', '/profile?tab=claims#top'])('keeps the path on this site %j', async (path) => {
      const response = await new TestBrowser().get(`${stack.appOrigin}/login?returnTo=${encodeURIComponent(path)}`);
      expect(returnToOf(response)).toBe(path);
    });

    it.each(FOREIGN_RETURN_TO)('falls back to / for %j', async (candidate) => {
      const response = await new TestBrowser().get(`${stack.appOrigin}/login?returnTo=${encodeURIComponent(candidate)}`);
      expect(returnToOf(response)).toBe('/');
    });
  });

  describe('returnTo on /login for someone already signed in', () => {
    let stack: TestStack;
    let signedIn: TestBrowser;
    beforeAll(async () => {
      stack = await startTestStack();
      ({ browser: signedIn } = await signedInBrowser(stack.appOrigin));
    });
    afterAll(() => stack.close());

    it.each(FOREIGN_RETURN_TO)('falls back to / for %j', async (candidate) => {
      const response = await signedIn.get(`${stack.appOrigin}/login?returnTo=${encodeURIComponent(candidate)}`);
      expect(response.status).toBe(302);
      expect(response.headers.location).toBe('/');
    });
  });

  describe.each([
    ['TRUST_PROXY off', {}],
    ['TRUST_PROXY=1', { TRUST_PROXY: '1' }],
  ])('with a hostile Host header (%s)', (_mode, env) => {
    let proxied: TestStack;
    let browser: TestBrowser;
    let csrf: string;
    beforeAll(async () => {
      proxied = await startTestStack({ env });
      ({ browser, csrf } = await signedInBrowser(proxied.appOrigin));
    });
    afterAll(() => proxied.close());

    const expectBuiltFromBaseURL = (response: Page) => {
      expect(response.status).toBe(302);
      const location = new URL(String(response.headers.location));
      expect(`${location.origin}${location.pathname}`).toBe(`${proxied.provider.origin}/authorize`);
      expect(location.searchParams.get('redirect_uri')).toBe(`${proxied.appOrigin}/callback`);
    };

    it('sends /login to the provider with the redirect URI from BASE_URL', async () => {
      expectBuiltFromBaseURL(await new TestBrowser().get(`${proxied.appOrigin}/login`, hostile));
    });

    it('sends an anonymous /profile to the provider with the redirect URI from BASE_URL', async () => {
      const response = await new TestBrowser().get(`${proxied.appOrigin}/profile`, hostile);
      expectBuiltFromBaseURL(response);
      expect(returnToOf(response)).toBe('/profile');
    });

    it('keeps same-site redirects relative and pages free of the hostile host', async () => {
      const login = await browser.get(`${proxied.appOrigin}/login?returnTo=%2Fprofile`, hostile);
      expect(login.headers.location).toBe('/profile');
      for (const path of ['/', '/profile', '/logout', '/no/such/page']) {
        const page = await browser.get(`${proxied.appOrigin}${path}`, hostile);
        expect(page.text).not.toContain('evil.example');
        expect(page.headers.location ?? '').not.toContain('evil.example');
      }
    });

    it('returns from the provider logout to BASE_URL', async () => {
      const response = await browser.post(`${proxied.appOrigin}/logout`, { _csrf: csrf }, { ...hostile, origin: proxied.appOrigin });
      expect(response.status).toBe(303);
      expect(new URL(String(response.headers.location)).searchParams.get('post_logout_redirect_uri')).toBe(proxied.appOrigin);
    });
  });
});
