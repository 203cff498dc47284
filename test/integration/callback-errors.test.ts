import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../support/browser.js';
import { leaksIn, setCookies } from '../support/page-checks.js';
import { openLoginPage, reachCallback } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

function expectSignInErrorPage(page: Page, status: number) {
  expect(page.status).toBe(status);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  expect(page.text).toContain('<a class="button" href="/login">Try again</a>');
  expect(page.text).toMatch(/Request id: <code>[\w-]+<\/code>/);
  expect(leaksIn(page.text)).toEqual([]);
  expect(setCookies(page.headers).filter((cookie) => cookie.name === 'session' && cookie.value !== '')).toEqual([]);
}

describe('GET /callback that must fail', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it('rejects a tampered state with the error page and no session', async () => {
    const browser = new TestBrowser();
    const { callbackUrl } = await reachCallback(browser, stack.appOrigin);
    callbackUrl.searchParams.set('state', Buffer.from('{"returnTo":"https://evil.example"}').toString('base64url'));
    const page = await browser.get(callbackUrl.href);
    expectSignInErrorPage(page, 400);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
  });

  it('rejects a callback without the verification cookie (a login started elsewhere)', async () => {
    const { callbackUrl } = await reachCallback(new TestBrowser(), stack.appOrigin);
    const page = await new TestBrowser().get(callbackUrl.href);
    expectSignInErrorPage(page, 400);
  });

  it('explains access_denied (the user cancelled at the provider) and offers to try again', async () => {
    const browser = new TestBrowser();
    const { loginPage } = await openLoginPage(browser, `${stack.appOrigin}/login`);
    const aborted = await browser.get(`${loginPage.url}/abort`);
    const { next } = await browser.follow(aborted, (url) => url.pathname === '/callback');
    expect(next?.searchParams.get('error')).toBe('access_denied');
    const page = await browser.get(next?.href ?? '');
    expectSignInErrorPage(page, 400);
    expect(page.text).toContain('Sign-in was cancelled');
  });

  it('never renders an error_description, so injected markup cannot run', async () => {
    const browser = new TestBrowser();
    const { callbackUrl } = await reachCallback(browser, stack.appOrigin);
    const forged = new URL('/callback', stack.appOrigin);
    forged.searchParams.set('error', 'access_denied');
    forged.searchParams.set('error_description', '<script>alert(1)</script>');
    forged.searchParams.set('state', callbackUrl.searchParams.get('state') ?? '');
    forged.searchParams.set('iss', stack.config.issuer.issuerBaseURL);
    const page = await browser.get(forged.href);
    expectSignInErrorPage(page, 400);
    expect(page.text).not.toContain('alert(1)');
  });

  it('logs the reason with the request id shown on the page', async () => {
    const page = await new TestBrowser().get(`${stack.appOrigin}/callback?code=x&state=y`);
    const requestId = /Request id: <code>([\w-]+)<\/code>/.exec(page.text)?.[1];
    expect(requestId).toBeDefined();
    const logged = stack.logs.lines().find((line) => line.reqId === requestId && line.msg === 'request refused');
    expect(logged).toBeDefined();
    expect(JSON.stringify(logged)).toContain('auth_verification');
  });
});
