import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../support/browser.js';
import { signIn } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/** Where the provider will send the browser back after signing in: the returnTo inside `state`. */
function returnToOf(authorizationRedirect: Page): unknown {
  const state = new URL(String(authorizationRedirect.headers.location)).searchParams.get('state') ?? '';
  return (JSON.parse(Buffer.from(state, 'base64url').toString()) as { returnTo?: unknown }).returnTo;
}

const hostile = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', forwarded: 'host=evil.example' };

describe('redirects', () => {
  let stack: TestStack;
  let signedIn: TestBrowser;
  beforeAll(async () => {
    stack = await startTestStack();
    signedIn = new TestBrowser();
    await signIn(signedIn, stack.appOrigin);
  });
  afterAll(() => stack.close());

  describe('returnTo on /login (open redirects)', () => {
    it.each(['/profile', '/profile?tab=claims#top'])('keeps the path on this site %j', async (path) => {
      const response = await new TestBrowser().get(`${stack.appOrigin}/login?returnTo=${encodeURIComponent(path)}`);
      expect(returnToOf(response)).toBe(path);
    });

    it.each([
      'https://evil.example',
      '//evil.example',
      '///evil.example',
      '/\\evil.example',
      '\\/evil.example',
      '/%2F%2Fevil.example',
      '/%5Cevil.example',
      '%2F%2Fevil.example',
      'https:evil.example',
      'javascript:alert(1)',
      'http://localhost@evil.example',
      '/\t/evil.example',
      '/profile\r\nLocation: https://evil.example',
    ])('falls back to / for %j, before and after sign-in', async (candidate) => {
      const query = `returnTo=${encodeURIComponent(candidate)}`;
      expect(returnToOf(await new TestBrowser().get(`${stack.appOrigin}/login?${query}`))).toBe('/');
      const alreadySignedIn = await signedIn.get(`${stack.appOrigin}/login?${query}`);
      expect(alreadySignedIn.status).toBe(302);
      expect(alreadySignedIn.headers.location).toBe('/');
    });
  });

  describe.each([
    ['TRUST_PROXY off', {}],
    ['TRUST_PROXY=1', { TRUST_PROXY: '1' }],
  ])('with a hostile Host header (%s)', (_mode, env) => {
    let proxied: TestStack;
    let browser: TestBrowser;
    beforeAll(async () => {
      proxied = await startTestStack({ env });
      browser = new TestBrowser();
      await signIn(browser, proxied.appOrigin);
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
      const profile = await browser.get(`${proxied.appOrigin}/profile`);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(profile.text)?.[1] ?? '';
      const response = await browser.post(`${proxied.appOrigin}/logout`, { _csrf: csrf }, { ...hostile, origin: proxied.appOrigin });
      expect(response.status).toBe(303);
      expect(new URL(String(response.headers.location)).searchParams.get('post_logout_redirect_uri')).toBe(proxied.appOrigin);
    });
  });
});
