import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { leaksIn } from '../support/page-checks.js';
import { reachCallback, signedInBrowser } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

describe('at most MAX_SESSIONS_PER_USER sessions per user (2 here)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ env: { MAX_SESSIONS_PER_USER: '2' } });
  });
  afterAll(() => stack.close());

  it('signs the least recently used browser out when a third one signs in, and keeps the other two', async () => {
    const laptop = await signedInBrowser(stack.appOrigin);
    const phone = await signedInBrowser(stack.appOrigin);
    const tablet = await signedInBrowser(stack.appOrigin);
    expect((await tablet.browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    expect((await phone.browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    expect((await laptop.browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
    expect(stack.logs.lines().some((line) => line.event === 'sessions.capped')).toBe(true);
  });
});

describe('the in-memory store at MAX_MEMORY_SESSIONS (100 here)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ env: { MAX_MEMORY_SESSIONS: '100' } });
  });
  afterAll(() => stack.close());

  it('refuses a new sign-in with a clear 503 page and a warning, while live sessions go on', async () => {
    const live = await signedInBrowser(stack.appOrigin);
    const put = promisify(stack.store.set.bind(stack.store));
    const now = Math.floor(Date.now() / 1000);
    for (let count = 1; count < 100; count += 1) {
      await put(stack.store.ids.generate(), {
        header: { iat: now, uat: now, exp: now + 600 },
        data: { userinfo: { sub: `filler-${count}` }, handle: randomBytes(8).toString('hex') },
        cookie: { expires: (now + 600) * 1000, maxAge: 600_000 },
      });
    }
    const browser = new TestBrowser();
    const { callbackUrl } = await reachCallback(browser, stack.appOrigin);
    const refused = await browser.get(callbackUrl.href);
    expect(refused.status).toBe(503);
    expect(refused.text).toContain('Too many people are signed in right now');
    expect(leaksIn(refused.text)).toEqual([]);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
    expect((await live.browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    const warning = stack.logs.lines().find((line) => line.event === 'sessions.memory_full');
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toMatch(/MAX_MEMORY_SESSIONS=100/);
  });
});
