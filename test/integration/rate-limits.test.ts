import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_ATTEMPT_LIMIT } from '../../src/dev-provider/login-interactions.js';
import { TestBrowser, type Page } from '../support/browser.js';
import { alice, openLoginPage, signedInBrowser, submitLogin } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/** Sends `count` requests one after the other; returns every answer. */
async function flood(count: number, send: () => Promise<Page>): Promise<Page[]> {
  const pages: Page[] = [];
  for (let sent = 0; sent < count; sent += 1) pages.push(await send());
  return pages;
}

function remainingOf(page: Page): number {
  const remaining = /remaining=(\d+)/.exec(String(page.headers.ratelimit))?.[1];
  if (remaining === undefined) throw new Error(`no RateLimit header on ${page.url}`);
  return Number(remaining);
}

/**
 * Uses up what is left of the client's allowance (as the RateLimit header tells it), then sends
 * one request more. Returns the answers within the allowance and the one beyond it.
 */
async function exhaust(send: () => Promise<Page>): Promise<{ allowed: Page[]; beyond: Page }> {
  const first = await send();
  const allowed = [first, ...(await flood(remainingOf(first), send))];
  return { allowed, beyond: await send() };
}

function expectTooManyRequests(page: Page) {
  expect(page.status).toBe(429);
  expect(page.text).toContain('Too many requests');
  const retryAfter = Number(page.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe('rate limits', () => {
  describe('with TRUST_PROXY off and SIGN_IN_RATE_LIMIT unset (the defaults)', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack();
    });
    afterAll(() => stack.close());

    it('never limit a person who signs in and out a few times', async () => {
      for (let round = 0; round < 3; round += 1) {
        const { browser, csrf } = await signedInBrowser(stack.appOrigin);
        expect(
          (await browser.post(`${stack.appOrigin}/logout`, { _csrf: csrf }, { origin: stack.appOrigin })).status,
        ).toBe(303);
      }
      const next = await new TestBrowser().get(`${stack.appOrigin}/login`);
      expect(next.status).toBe(302);
      expect(next.headers.ratelimit).toMatch(
        new RegExp(`^limit=${stack.config.signInRateLimit}, remaining=\\d+, reset=\\d+$`),
      );
    });

    it('answer a flood of /login with 429 on the error page, and a made-up X-Forwarded-For does not reset the count', async () => {
      const browser = new TestBrowser();
      const { allowed, beyond } = await exhaust(() => browser.get(`${stack.appOrigin}/login`));
      expect(allowed.map((page) => page.status)).toEqual(allowed.map(() => 302));
      expectTooManyRequests(beyond);

      const spoofed = await browser.get(`${stack.appOrigin}/login`, { 'x-forwarded-for': '203.0.113.77' });
      expectTooManyRequests(spoofed);
      const json = await browser.get(`${stack.appOrigin}/login`, {
        accept: 'application/json',
        'x-forwarded-for': '198.51.100.1',
      });
      expect(json.status).toBe(429);
      expect(json.body).toMatchObject({ error: { status: 429, title: 'Too many requests' } });
      expect(Number(json.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('answer a flood of /callback with 429', async () => {
      const browser = new TestBrowser();
      const { allowed, beyond } = await exhaust(() =>
        browser.get(`${stack.appOrigin}/callback?code=guess&state=guess`),
      );
      expect(allowed.length).toBeGreaterThan(stack.config.signInRateLimit / 2);
      expect(allowed.map((page) => page.status)).toEqual(allowed.map(() => 400));
      expectTooManyRequests(beyond);
    });

    it.each(['/', '/healthz', '/readyz'])('never limit %s', async (path) => {
      const browser = new TestBrowser();
      const answers = await flood(stack.config.signInRateLimit + 1, () => browser.get(`${stack.appOrigin}${path}`));
      expect(answers.map((page) => page.status)).toEqual(answers.map(() => 200));
      expect(answers.every((page) => page.headers.ratelimit === undefined)).toBe(true);
    });
  });

  it('log one hint when X-Forwarded-For arrives while TRUST_PROXY is off (a proxy nobody configured)', async () => {
    const behindProxy = await startTestStack();
    try {
      const browser = new TestBrowser();
      for (const client of ['203.0.113.5', '203.0.113.6'])
        await browser.get(`${behindProxy.appOrigin}/login`, { 'x-forwarded-for': client });
      const hints = behindProxy.logs
        .lines()
        .filter((line) => JSON.stringify(line).includes('ERR_ERL_UNEXPECTED_X_FORWARDED_FOR'));
      expect(hints).toHaveLength(1);
      expect(hints[0]).toMatchObject({ level: 40, library: 'express-rate-limit' });
    } finally {
      await behindProxy.close();
    }
  });

  describe('with TRUST_PROXY=1 (one proxy in front of the app)', () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ env: { TRUST_PROXY: '1' } });
    });
    afterAll(() => stack.close());

    it('count each client address the proxy reports, and only the one the proxy itself appended', async () => {
      const browser = new TestBrowser();
      const asClient = (forwardedFor: string) => () =>
        browser.get(`${stack.appOrigin}/login`, { 'x-forwarded-for': forwardedFor });
      const { allowed, beyond } = await exhaust(asClient('203.0.113.1'));
      expect(allowed).toHaveLength(stack.config.signInRateLimit);
      expect(beyond.status).toBe(429);
      // A client cannot escape by putting its own entry in front: the proxy appends the real address last.
      expect((await asClient('198.51.100.9, 203.0.113.1')()).status).toBe(429);
      // Another client behind the same proxy is not affected.
      expect((await asClient('203.0.113.2')()).status).toBe(302);
    });
  });

  it('follow SIGN_IN_RATE_LIMIT', async () => {
    const strict = await startTestStack({ env: { SIGN_IN_RATE_LIMIT: '5' } });
    try {
      const browser = new TestBrowser();
      const { allowed, beyond } = await exhaust(() => browser.get(`${strict.appOrigin}/login`));
      expect(allowed).toHaveLength(5);
      expectTooManyRequests(beyond);
    } finally {
      await strict.close();
    }
  });

  describe("the development provider's login form", () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack();
    });
    afterAll(() => stack.close());

    it('counts only failed attempts, then answers 429 with Retry-After', async () => {
      const browser = new TestBrowser();
      const { loginPage } = await openLoginPage(browser, `${stack.appOrigin}/login`);
      const failures = await flood(LOGIN_ATTEMPT_LIMIT.limit - 1, () =>
        submitLogin(browser, loginPage, alice.email, 'guess'),
      );
      expect(failures.every((page) => page.status === 401)).toBe(true);
      expect((await submitLogin(browser, loginPage, alice.email, alice.password)).status).toBe(303);

      // The same network, in another browser: the success above has not used up the last attempt.
      const other = new TestBrowser();
      const { loginPage: another } = await openLoginPage(other, `${stack.appOrigin}/login`);
      expect((await submitLogin(other, another, alice.email, 'guess')).status).toBe(401);
      const limited = await submitLogin(other, another, alice.email, 'guess');
      expect(limited.status).toBe(429);
      expect(limited.text).toContain('Too many failed sign-in attempts');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    });
  });
});
