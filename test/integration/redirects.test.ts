import { posix } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stylesheetPath } from '../support/assets.js';
import { TestBrowser, type Page } from '../support/browser.js';
import { FOREIGN_RETURN_TO, returnToCandidates } from '../support/open-redirects.js';
import { rawGet } from '../support/raw-request.js';
import { authorize, openLoginPage, reachCallback, signedInBrowser } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { readTransactionCookie, signTransactionCookie, stateWith } from '../support/transaction-cookie.js';

/** Where the provider will send the browser back after signing in: the returnTo inside `state`. */
function returnToOf(authorizationRedirect: { headers: Record<string, unknown> }): unknown {
  const state = new URL(String(authorizationRedirect.headers.location)).searchParams.get('state') ?? '';
  return (JSON.parse(Buffer.from(state, 'base64url').toString()) as { returnTo?: unknown }).returnTo;
}

/** The URL a browser goes to when it follows `location`, received in answer to `requestUrl`. */
function followed(location: unknown, requestUrl: string | URL): URL {
  return new URL(String(location), requestUrl);
}

/** Dot segments and their encodings: each comes out of URL resolution as "//evil.example". */
const DOT_SEGMENT_REDIRECTS = ['/.//evil.example', '/%2e%2e//evil.example', '/a/..//evil.example'].map((candidate) => [
  candidate,
]);

/** Enough /login and /callback requests a minute for a property run from one address. */
const RUNS_ALLOWED = { SIGN_IN_RATE_LIMIT: '1000' };

const hostile = {
  host: 'evil.example',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'https',
  forwarded: 'host=evil.example',
};

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
      const response = await new TestBrowser().get(
        `${stack.appOrigin}/login?returnTo=${encodeURIComponent(candidate)}`,
      );
      expect(returnToOf(response)).toBe('/');
    });
  });

  describe('returnTo on /login for someone already signed in', () => {
    let stack: TestStack;
    let signedIn: TestBrowser;
    beforeAll(async () => {
      stack = await startTestStack({ env: RUNS_ALLOWED });
      ({ browser: signedIn } = await signedInBrowser(stack.appOrigin));
    });
    afterAll(() => stack.close());

    it.each(FOREIGN_RETURN_TO)('falls back to / for %j', async (candidate) => {
      const response = await signedIn.get(`${stack.appOrigin}/login?returnTo=${encodeURIComponent(candidate)}`);
      expect(response.status).toBe(302);
      expect(response.headers.location).toBe('/');
    });

    it('sends the browser to a page of this site for any returnTo', async () => {
      await fc.assert(
        fc.asyncProperty(returnToCandidates({ wellFormed: true }), async (candidate) => {
          const url = `${stack.appOrigin}/login?returnTo=${encodeURIComponent(candidate)}`;
          const response = await signedIn.get(url);
          expect(response.status).toBe(302);
          expect(followed(response.headers.location, url).origin).toBe(stack.appOrigin);
        }),
        { numRuns: 200, examples: DOT_SEGMENT_REDIRECTS },
      );
    });
  });

  describe('returnTo through a whole sign-in started at /login', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ env: RUNS_ALLOWED });
    });
    afterAll(() => stack.close());

    it('comes back from the callback to a page of this site for any returnTo', { timeout: 120_000 }, async () => {
      // One browser: its provider session makes every sign-in after the first a single round trip.
      const browser = new TestBrowser();
      await fc.assert(
        fc.asyncProperty(returnToCandidates({ wellFormed: true }), async (candidate) => {
          browser.forget(stack.appOrigin);
          const { callbackUrl } = await reachCallback(
            browser,
            stack.appOrigin,
            undefined,
            `/login?returnTo=${encodeURIComponent(candidate)}`,
          );
          const callback = await browser.get(callbackUrl.href);
          expect(callback.status).toBe(302);
          expect(browser.cookies(stack.appOrigin).session).toBeDefined();
          expect(followed(callback.headers.location, callbackUrl).origin).toBe(stack.appOrigin);
        }),
        { numRuns: 40, examples: DOT_SEGMENT_REDIRECTS },
      );
    });

    it('checks the returnTo in the state again at the callback, whatever wrote it', async () => {
      const browser = new TestBrowser();
      const start = await browser.get(`${stack.appOrigin}/login`);
      // A sign-in whose state says "//evil.example" after dot-segment removal, signed with SECRET as
      // if /login had put it there: the provider echoes the state and the library accepts it.
      const authorizeUrl = new URL(String(start.headers.location));
      const state = stateWith('/.//evil.example');
      authorizeUrl.searchParams.set('state', state);
      const checks = readTransactionCookie(browser.cookies(stack.appOrigin).auth_verification ?? '');
      const forged = await signTransactionCookie('auth_verification', { ...checks, state }, stack.config.secrets);
      const callbackUrl = await authorize(browser, stack.appOrigin, authorizeUrl);

      const callback = await rawGet(stack.appOrigin, `${callbackUrl.pathname}${callbackUrl.search}`, {
        cookie: `auth_verification=${forged}`,
      });

      expect(callback.status).toBe(302);
      expect(String(callback.headers['set-cookie'])).toMatch(/(^|,)session=[^;]/);
      expect(callback.headers.location).toBe('/');
    });
  });

  describe('a guarded page visited signed out', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack();
    });
    afterAll(() => stack.close());

    /** A request target may carry any printable ASCII as it is; everything else goes percent-encoded. */
    const asRequestTarget = (text: string) =>
      text.replace(/[^\x21-\x7e]/gu, (character) => encodeURIComponent(character));

    it('comes back to a page of this site after sign-in, for any query or absolute-form target', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('', 'http://evil.example', 'https://evil.example:8443'),
          returnToCandidates({ wellFormed: true }),
          async (prefix, query) => {
            const response = await rawGet(stack.appOrigin, `${prefix}/profile?${asRequestTarget(query)}`, {
              accept: 'text/html',
            });
            expect(response.status).toBe(302);
            expect(followed(response.headers.location, stack.appOrigin).origin).toBe(stack.provider.origin);
            expect(followed(returnToOf(response), stack.appOrigin).origin).toBe(stack.appOrigin);
          },
        ),
        { numRuns: 150 },
      );
    });
  });

  describe('an absolute-form request target (GET http://evil.example/... HTTP/1.1)', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ env: RUNS_ALLOWED });
    });
    afterAll(() => stack.close());

    it('sends an anonymous visitor of a guarded page to the provider, to come back to this site', async () => {
      const response = await rawGet(stack.appOrigin, 'http://evil.example/profile');
      expect(response.status).toBe(302);
      expect(followed(response.headers.location, stack.appOrigin).origin).toBe(stack.provider.origin);
      expect(followed(returnToOf(response), stack.appOrigin).origin).toBe(stack.appOrigin);
    });

    it.each(['/assets', posix.dirname(stylesheetPath()), `${posix.dirname(stylesheetPath())}/dev-provider`])(
      'never redirects to the request target for %s',
      async (path) => {
        const response = await rawGet(stack.appOrigin, `http://evil.example${path}`);
        expect(followed(response.headers.location ?? '/', stack.appOrigin).origin).toBe(stack.appOrigin);
      },
    );

    it.each([
      ['an empty', () => Promise.resolve('')],
      [
        'a stale',
        async () => {
          const abandoned = new TestBrowser();
          await openLoginPage(abandoned, `${stack.appOrigin}/login`);
          return abandoned.cookies(stack.appOrigin).auth_verification ?? '';
        },
      ],
    ])(
      'never redirects a signed-in visitor at /callback with %s transaction cookie to the request target',
      async (_kind, transaction) => {
        const { cookie } = await signedInBrowser(stack.appOrigin);
        const response = await rawGet(stack.appOrigin, 'http://evil.example/callback?code=x&state=y', {
          cookie: `session=${cookie}; auth_verification=${await transaction()}`,
        });
        expect(response.status).toBeLessThan(500);
        expect(followed(response.headers.location ?? '/', stack.appOrigin).origin).toBe(stack.appOrigin);
      },
    );
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
      const response = await browser.post(
        `${proxied.appOrigin}/logout`,
        { _csrf: csrf },
        { ...hostile, origin: proxied.appOrigin },
      );
      expect(response.status).toBe(303);
      expect(new URL(String(response.headers.location)).searchParams.get('post_logout_redirect_uri')).toBe(
        proxied.appOrigin,
      );
    });
  });
});
