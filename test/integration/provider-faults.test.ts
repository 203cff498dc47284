import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAILURE_MEMORY_MS } from '../../src/sign-in/provider-metadata.js';
import { TestBrowser, type Page } from '../support/browser.js';
import { leaksIn, setCookies } from '../support/page-checks.js';
import { providerFaults } from '../support/provider-faults.js';
import { reachCallback } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { eventually } from '../support/wait.js';

const TIMEOUT_MS = 1000;
const DISCOVERY = '/.well-known/openid-configuration';

/** The error page a person gets: plain words, Try again, the request id; no session, no library text. */
function expectErrorPage(page: Page, status: number, title: string) {
  expect(page.status).toBe(status);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  expect(page.text).toContain(`<h1>${title}</h1>`);
  expect(page.text).toContain('<a class="button" href="/login">Try again</a>');
  expect(page.text).toMatch(/Request id: <code>[\w-]+<\/code>/);
  expect(leaksIn(page.text)).toEqual([]);
  expect(setCookies(page.headers).filter((cookie) => cookie.name === 'session' && cookie.value !== '')).toEqual([]);
}

async function timed<T>(action: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const startedAt = performance.now();
  const result = await action();
  return { result, ms: performance.now() - startedAt };
}

describe('a provider that is down or misbehaving before anything was cached', () => {
  let stack: TestStack;
  const faults = providerFaults();
  let claimedIssuer: string | undefined;
  beforeAll(async () => {
    faults.set(DISCOVERY, { kind: 'drop' });
    stack = await startTestStack({
      env: { PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS) },
      providerMiddleware: [
        faults.middleware,
        async (ctx, next) => {
          await next();
          if (claimedIssuer && ctx.oidc?.route === 'discovery')
            Object.assign(ctx.body as object, { issuer: claimedIssuer });
        },
      ],
    });
  });
  // A failure is remembered for FAILURE_MEMORY_MS: each fault meets an app that has seen none yet.
  beforeEach(() => {
    stack.restartApp();
  });
  afterAll(() => stack.close());

  const login = () => timed(() => new TestBrowser().get(`${stack.appOrigin}/login`));
  const discoveries = () => stack.providerRequests.filter((path) => path === DISCOVERY).length;

  it('leaves anonymous pages and liveness working', async () => {
    const browser = new TestBrowser();
    expect((await browser.get(`${stack.appOrigin}/`)).status).toBe(200);
    expect((await browser.get(`${stack.appOrigin}/healthz`)).status).toBe(200);
  });

  it('answers /login at once with "unreachable, try again" when the connection drops', async () => {
    const { result: page, ms } = await login();
    expectErrorPage(page, 503, 'Sign-in service unreachable');
    expect(page.text).toContain('The sign-in service is unreachable right now. Please try again in a moment.');
    expect(page.headers['retry-after']).toBe('30');
    expect(ms).toBeLessThan(TIMEOUT_MS);
  });

  it('answers /login within PROVIDER_TIMEOUT_MS when discovery hangs', async () => {
    faults.set(DISCOVERY, { kind: 'delay', ms: TIMEOUT_MS * 4 });
    const { result: page, ms } = await login();
    expectErrorPage(page, 503, 'Sign-in service unreachable');
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(TIMEOUT_MS + 500);
  });

  it.each([
    ['an error status', { kind: 'answer', status: 500, body: '<html>Internal error</html>', type: 'html' } as const],
    ['HTML instead of JSON', { kind: 'answer', status: 200, body: '<html>maintenance</html>', type: 'html' } as const],
  ])('answers /login with 502 when discovery returns %s', async (_case, fault) => {
    faults.set(DISCOVERY, fault);
    const { result: page } = await login();
    expectErrorPage(page, 502, 'Sign-in service error');
  });

  it('refuses a discovery document naming another issuer, never redirecting to its endpoints', async () => {
    faults.clear();
    claimedIssuer = 'http://evil.test/';
    const { result: page } = await login();
    expectErrorPage(page, 502, 'Sign-in service error');
    expect(page.headers.location).toBeUndefined();
    const logged = stack.logs
      .lines()
      .find((line) => line.msg === 'request failed' && JSON.stringify(line).includes('issuer does not match'));
    expect(logged).toBeDefined();
  });

  it('answers from memory for a few seconds, then recovers without a restart once the provider answers properly', async () => {
    faults.set(DISCOVERY, { kind: 'drop' });
    expectErrorPage((await login()).result, 503, 'Sign-in service unreachable');
    faults.clear();
    claimedIssuer = undefined;
    const before = discoveries();
    expectErrorPage((await login()).result, 503, 'Sign-in service unreachable');
    expect(discoveries()).toBe(before);
    await eventually(
      async () => (await new TestBrowser().get(`${stack.appOrigin}/readyz`)).status === 200,
      FAILURE_MEMORY_MS + 3000,
      'readiness',
    );
    const page = await new TestBrowser().get(`${stack.appOrigin}/login`);
    expect(page.status).toBe(302);
    expect(page.headers.location).toMatch(new RegExp(`^${stack.provider.origin}/authorize\\?`));
  });
});

describe('a provider that sends an error back to /callback', () => {
  let stack: TestStack;
  let sendBack: { error: string; description: string } | undefined;
  beforeAll(async () => {
    stack = await startTestStack({
      providerMiddleware: [
        async (ctx, next) => {
          await next();
          // The provider's real answer to a finished login, turned into an error response (same state, same iss).
          if (sendBack && ctx.oidc?.route === 'resume') {
            const location = new URL(ctx.response.get('location'));
            location.searchParams.delete('code');
            location.searchParams.set('error', sendBack.error);
            location.searchParams.set('error_description', sendBack.description);
            ctx.redirect(location.href);
          }
        },
      ],
    });
  });
  afterEach(() => {
    sendBack = undefined;
  });
  afterAll(() => stack.close());

  it.each([
    ['access_denied', 'Please verify your email before logging in.', 'Please verify your email'],
    ['access_denied', 'User is blocked', 'Sign-in was cancelled'],
    ['login_required', 'Login required', 'Please sign in again'],
    ['consent_required', 'Consent required', 'Permission needed'],
    ['invalid_request', 'The connection is not enabled for this client', 'Sign-in request refused'],
  ])('%s ("%s") gets a plain-words page, no redirect and no session', async (error, description, title) => {
    sendBack = { error, description };
    const browser = new TestBrowser();
    const { callbackUrl } = await reachCallback(browser, stack.appOrigin);
    expect(callbackUrl.searchParams.get('error')).toBe(error);
    const tokenCallsBefore = stack.providerRequests.filter((path) => path === '/oauth/token').length;
    const page = await browser.get(callbackUrl.href);
    expectErrorPage(page, 400, title);
    expect(page.text).not.toContain(description);
    expect(stack.providerRequests.filter((path) => path === '/oauth/token').length).toBe(tokenCallsBefore);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
  });

  it('"Try again" starts a fresh sign-in at the provider instead of looping back to the error', async () => {
    sendBack = { error: 'login_required', description: 'x' };
    const browser = new TestBrowser();
    const { callbackUrl } = await reachCallback(browser, stack.appOrigin);
    expect((await browser.get(callbackUrl.href)).status).toBe(400);
    sendBack = undefined;
    const again = await browser.get(`${stack.appOrigin}/login`);
    expect(again.status).toBe(302);
    expect(again.headers.location).toMatch(new RegExp(`^${stack.provider.origin}/authorize\\?`));
  });
});

describe('a token endpoint that fails during /callback', () => {
  let stack: TestStack;
  const faults = providerFaults();
  beforeAll(async () => {
    stack = await startTestStack({
      env: { PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS) },
      providerMiddleware: [faults.middleware],
    });
  });
  afterEach(() => {
    faults.clear();
  });
  afterAll(() => stack.close());

  async function callbackWith(fault: Parameters<typeof faults.set>[1]) {
    const browser = new TestBrowser();
    const { callbackUrl } = await reachCallback(browser, stack.appOrigin);
    faults.set('/oauth/token', fault);
    const userinfoBefore = stack.providerRequests.filter((path) => path === '/userinfo').length;
    const outcome = await timed(() => browser.get(callbackUrl.href));
    expect(stack.providerRequests.filter((path) => path === '/userinfo').length).toBe(userinfoBefore);
    return outcome;
  }

  it('answers within PROVIDER_TIMEOUT_MS when the token endpoint hangs, and keeps serving others meanwhile', async () => {
    const browser = new TestBrowser();
    const { callbackUrl } = await reachCallback(browser, stack.appOrigin);
    faults.set('/oauth/token', { kind: 'delay', ms: TIMEOUT_MS * 3 });
    const callback = timed(() => browser.get(callbackUrl.href));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const probe = await timed(() => new TestBrowser().get(`${stack.appOrigin}/healthz`));
    expect(probe.result.status).toBe(200);
    expect(probe.ms).toBeLessThan(300);
    const { result: page, ms } = await callback;
    expectErrorPage(page, 504, 'Sign-in service is slow');
    expect(ms).toBeLessThan(TIMEOUT_MS + 500);
  });

  it('says unreachable when the connection drops', async () => {
    const { result: page } = await callbackWith({ kind: 'drop' });
    expectErrorPage(page, 503, 'Sign-in service unreachable');
  });

  it('says the answer was unexpected for a 500 HTML page', async () => {
    const { result: page } = await callbackWith({
      kind: 'answer',
      status: 500,
      body: '<html>oops</html>',
      type: 'html',
    });
    expectErrorPage(page, 502, 'Sign-in service error');
  });

  it("blames the app, not the visitor, for Auth0's answer to a wrong secret (401 access_denied)", async () => {
    const { result: page } = await callbackWith({
      kind: 'answer',
      status: 401,
      body: { error: 'access_denied', error_description: 'Unauthorized' },
    });
    expectErrorPage(page, 502, 'Sign-in is unavailable');
    expect(page.text).not.toContain('cancelled');
  });
});

describe('an app whose client secret the provider does not accept', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ issuer: { clientSecret: 'not-the-registered-secret-0123456789abcdef' } });
  });
  afterAll(() => stack.close());

  it('explains that sign-in is unavailable and logs the refusal as an error', async () => {
    const browser = new TestBrowser();
    const { callbackUrl } = await reachCallback(browser, stack.appOrigin);
    const page = await browser.get(callbackUrl.href);
    expectErrorPage(page, 502, 'Sign-in is unavailable');
    const requestId = page.headers['x-request-id'];
    expect(
      stack.logs.lines().find((line) => line.reqId === requestId && line.level === 50 && line.msg === 'request failed'),
    ).toBeDefined();
  });
});
