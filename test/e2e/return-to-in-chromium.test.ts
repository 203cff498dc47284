import fc from 'fast-check';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../src/sign-in/safe-return-to.js';
import { launchChromium } from '../support/chromium.js';
import { returnToCandidates } from '../support/open-redirects.js';
import { alice } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/*
 * "No open redirects", followed by a real browser (Chromium) rather than judged by Node's URL
 * parser: Node 20's parser leaves some dot segments that browsers remove. Found by attacking the
 * return-to rules; each of these failed on the first version of safeReturnTo.
 */

/** A return-to value that Node 20 leaves as it is and that Chromium resolves to the path //evil.example. */
const DOT_SEGMENT_ESCAPE = '/x/.b/../..//evil.example';

describe('return-to values, followed by Chromium', () => {
  let stack: TestStack;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;

  beforeAll(async () => {
    stack = await startTestStack({ env: { SIGN_IN_RATE_LIMIT: '1000' } });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
  }, 60_000);
  afterAll(async () => {
    await chromium.close();
    await stack.close();
  });

  /** Starts at `startUrl`, logs in at the provider as Alice, and waits until the browser is back on the app. */
  async function signInFrom(startUrl: string): Promise<URL> {
    await page.goto(startUrl);
    await page.getByLabel('Email address').fill(alice.email);
    await page.getByLabel('Password').fill(alice.password);
    await Promise.all([
      page.waitForURL((url) => url.origin === stack.appOrigin && url.pathname !== '/callback'),
      page.getByRole('button', { name: 'Continue' }).click(),
    ]);
    return new URL(page.url());
  }

  it(
    "agrees with Chromium on every return path it accepts: Chromium resolves it on BASE_URL's origin with a single leading slash",
    { timeout: 60_000 },
    async () => {
      // Paths that climb with ".." out of a folder whose name starts with "." (".well-known"), then "//host".
      const climbs = fc
        .record({
          folders: fc.array(fc.constantFrom('x', 'profile', 'sessions'), { maxLength: 3 }),
          dotted: fc.constantFrom('.b', '.well-known', '.cache'),
          climb: fc.integer({ min: 1, max: 6 }),
          host: fc.constantFrom('evil.example', 'evil.example/path?q=1', '127.0.0.1:8080'),
        })
        .map(({ folders, dotted, climb, host }) => `/${[...folders, dotted].join('/')}/${'../'.repeat(climb)}/${host}`);
      await fc.assert(
        fc.asyncProperty(fc.oneof(climbs, returnToCandidates({ wellFormed: true })), async (candidate) => {
          const safe = safeReturnTo(candidate, stack.appOrigin);
          const resolved = await page.evaluate(({ safe, base }) => new URL(safe, base).href, {
            safe,
            base: `${stack.appOrigin}/login`,
          });
          expect(new URL(resolved).origin).toBe(stack.appOrigin);
          expect(new URL(resolved).pathname).toMatch(/^\/(?!\/)/);
        }),
        { numRuns: 500 },
      );
    },
  );

  it(
    'lands a whole sign-in started at /login?returnTo= on a path of this site with a single leading slash, as safeReturnTo promises',
    { timeout: 60_000 },
    async () => {
      const landed = await signInFrom(`${stack.appOrigin}/login?returnTo=${encodeURIComponent(DOT_SEGMENT_ESCAPE)}`);
      expect(landed.origin).toBe(stack.appOrigin);
      // The app sent "Location: /x/.b/../..//evil.example"; Chromium went to <app>//evil.example.
      expect(landed.pathname).toMatch(/^\/(?!\/)/);
    },
  );

  it(
    'sends a signed-in visitor at /login?returnTo= to a path with a single leading slash, as Chromium resolves the Location',
    { timeout: 60_000 },
    async () => {
      // Chromium is signed in by the test above or signs in here.
      const response = await page.request.get(
        `${stack.appOrigin}/login?returnTo=${encodeURIComponent(DOT_SEGMENT_ESCAPE)}`,
        { maxRedirects: 0 },
      );
      if (response.status() !== 302 || !String(response.headers().location).startsWith('/'))
        await signInFrom(`${stack.appOrigin}/login`);
      const again = await page.request.get(
        `${stack.appOrigin}/login?returnTo=${encodeURIComponent(DOT_SEGMENT_ESCAPE)}`,
        { maxRedirects: 0 },
      );
      expect(again.status()).toBe(302);
      const location = again.headers().location ?? '';
      const resolvedByChromium = await page.evaluate(({ location, base }) => new URL(location, base).href, {
        location,
        base: `${stack.appOrigin}/login`,
      });
      expect(new URL(resolvedByChromium).origin).toBe(stack.appOrigin);
      expect(new URL(resolvedByChromium).pathname).toMatch(/^\/(?!\/)/);
    },
  );

  it(
    'completes a sign-in started from a /login link with a long non-ASCII returnTo, coming home instead',
    { timeout: 60_000 },
    async () => {
      await chromium.context.clearCookies();
      // 1,000 characters, under the 2,048 safeReturnTo accepts; each is 6 once percent-encoded, so
      // the state in the transaction cookie grows past the 4 KB a browser keeps for one cookie.
      const returnTo = `/${'é'.repeat(1000)}`;
      await page.goto(`${stack.appOrigin}/login?returnTo=${encodeURIComponent(returnTo)}`);
      await page.getByLabel('Email address').fill(alice.email);
      await page.getByLabel('Password').fill(alice.password);
      await Promise.all([
        page.waitForURL((url) => url.origin === stack.appOrigin),
        page.getByRole('button', { name: 'Continue' }).click(),
      ]);
      await page.waitForLoadState();
      // Too long once encoded to keep in the state: the sign-in completes and comes home instead
      // (Chromium would have dropped an oversized transaction cookie, failing /callback).
      expect(new URL(page.url()).pathname, (await page.locator('h1').first().textContent()) ?? undefined).not.toBe(
        '/callback',
      );
      expect(new URL(page.url()).pathname).toBe('/');
    },
  );
});
