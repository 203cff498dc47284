import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../support/browser.js';
import { leaksIn, setCookies } from '../support/page-checks.js';
import { skipRedisTests, type RedisServer } from '../support/redis-server.js';
import { startRedisTestStack, type RedisTestStack } from '../support/redis-test-stack.js';
import { logOutAtProvider, reachCallback, signedInBrowser, signIn } from '../support/sign-in.js';
import { storeAnswers } from '../../src/sessions/create-session-store.js';
import type { TestStack } from '../support/test-stack.js';
import { openedRecords, redisRecords, storageKeyOf } from '../support/stored-session.js';

const REDIS_TIMEOUT_MS = 500;

async function timed(request: () => Promise<Page>): Promise<{ page: Page; ms: number }> {
  const started = performance.now();
  const page = await request();
  return { page, ms: Math.round(performance.now() - started) };
}

/** Repeats `request` until it answers 200 (at most `withinMs`); returns that page and how long it took. */
async function firstSuccess(request: () => Promise<Page>, withinMs = 5000): Promise<{ page: Page; ms: number }> {
  const started = performance.now();
  for (;;) {
    const page = await request();
    const ms = Math.round(performance.now() - started);
    if (page.status === 200 || ms > withinMs) return { page, ms };
    await sleep(25);
  }
}

/** The outage must not cost the visitor their session: the cookie is never cleared. */
function clearsSessionCookie(page: Page): boolean {
  return setCookies(page.headers).some((cookie) => cookie.name === 'session' && cookie.value === '');
}

function expectOutagePage(page: Page): void {
  expect(page.status).toBe(503);
  expect(page.headers['retry-after']).toBeDefined();
  expect(page.text).toContain('Temporarily unavailable');
  expect(page.text).toContain('You have not been signed out');
  // Nothing that reads as "you are logged out".
  expect(page.text).not.toContain('>Log in<');
  expect(leaksIn(page.text)).toEqual([]);
  expect(clearsSessionCookie(page)).toBe(false);
}

describe.skipIf(skipRedisTests)('when Redis fails', () => {
  let redis: RedisServer | undefined;
  let stack: TestStack;
  let running: RedisTestStack | undefined;
  let origin: string;
  const figures: Record<string, number> = {};

  beforeAll(async () => {
    running = await startRedisTestStack({ env: { REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS) } });
    ({ redis, stack } = running);
    origin = stack.appOrigin;
  });
  afterAll(async () => {
    await running?.close();
    console.info(`Redis outage figures (ms): ${JSON.stringify(figures)}`);
  });

  const server = () => {
    if (!redis) throw new Error('redis-server did not start');
    return redis;
  };
  /** Starts redis-server again and waits (bounded) until the app's client has reconnected. */
  const restart = async () => {
    await server().start();
    if (!(await storeAnswers(stack.store, 5000))) throw new Error('the app did not reconnect to Redis within 5 s');
  };

  it('answers signed-in requests with the 503 page while Redis is stopped, serves visitors, and recovers the same session when it is back', async () => {
    const { browser, cookie, csrf } = await signedInBrowser(origin);
    await server().stop({ keepData: true });

    const profile = await timed(() => browser.get(`${origin}/profile`));
    expectOutagePage(profile.page);
    expect(profile.ms).toBeLessThan(2000);
    figures.stoppedProfile503 = profile.ms;

    expectOutagePage(await browser.get(`${origin}/`));
    expectOutagePage(await browser.get(`${origin}/sessions`));
    expectOutagePage(await browser.post(`${origin}/logout`, { _csrf: csrf }, { origin }));
    const json = await browser.get(`${origin}/profile`, { accept: 'application/json' });
    expect(json.status).toBe(503);
    expect((json.body as { error: { title: string } }).error.title).toBe('Temporarily unavailable');
    expect(browser.cookies(origin).session).toBe(cookie);

    const visitor = new TestBrowser();
    expect((await visitor.get(`${origin}/readyz`)).body).toEqual({
      status: 'not ready',
      checks: { provider: 'ok', sessionStore: 'failing' },
    });
    expect((await visitor.get(`${origin}/healthz`)).status).toBe(200);
    const home = await visitor.get(`${origin}/`);
    expect(home.status).toBe(200);
    expect(home.text).toContain('>Log in<');
    const login = await visitor.get(`${origin}/login`);
    expect(login.status).toBe(302);
    expect(login.headers.location).toMatch(new RegExp(`^${stack.provider.origin}/authorize\\?`));

    await server().start();
    const back = await firstSuccess(() => browser.get(`${origin}/profile`));
    expect(back.page.status).toBe(200);
    expect(back.page.text).toContain('alice@example.com');
    figures.recoveryAfterRestart = back.ms;
    expect((await visitor.get(`${origin}/readyz`)).status).toBe(200);

    const events = stack.logs.lines().map((line) => line.event);
    expect(events).toContain('redis.unavailable');
    expect(
      stack.logs.lines().some((line) => line.event === 'redis.ready' && line.msg === 'Redis is reachable again'),
    ).toBe(true);
  });

  it('answers after the command timeout, not when Redis would, while Redis hangs; recovers when it resumes', async () => {
    const { browser } = await signedInBrowser(origin);
    server().freeze();
    try {
      const profile = await timed(() => browser.get(`${origin}/profile`));
      expectOutagePage(profile.page);
      expect(profile.ms).toBeGreaterThanOrEqual(REDIS_TIMEOUT_MS - 50);
      expect(profile.ms).toBeLessThan(REDIS_TIMEOUT_MS + 1500);
      figures.hungProfile503 = profile.ms;
    } finally {
      server().thaw();
    }
    const back = await firstSuccess(() => browser.get(`${origin}/profile`));
    expect(back.page.status).toBe(200);
    figures.recoveryAfterHang = back.ms;
  });

  it('still serves the page and keeps the session when only the write recording its use fails, and records it later', async () => {
    const { browser, cookie } = await signedInBrowser(origin);
    // The last use is written back at most once a minute (sessions/load-session.ts): age the
    // stored last-use time by two minutes so that this request's write is due.
    const key = storageKeyOf(stack.store, cookie);
    const records = openedRecords(redisRecords(server()), stack.config.secrets);
    const storedUat = async () => (await records.read(key))?.header.uat;
    const record = await records.read(key);
    if (!record) throw new Error('no stored session');
    record.header.uat -= 120;
    await records.write(key, record);
    await server().command(['CLIENT', 'PAUSE', '1500', 'WRITE']);
    const profile = await browser.get(`${origin}/profile`);
    expect(profile.status).toBe(200);
    expect(profile.text).toContain('alice@example.com');
    // Neither cleared nor extended: the stored session did not move, so the cookie must not either.
    expect(setCookies(profile.headers).filter((set) => set.name === 'session')).toEqual([]);
    expect(browser.cookies(origin).session).toBe(cookie);
    expect(stack.logs.lines().some((line) => line.msg === 'could not record session use' && line.level === 40)).toBe(
      true,
    );
    await sleep(1600);
    expect(await storedUat()).toBe(record.header.uat);
    expect((await browser.get(`${origin}/profile`)).status).toBe(200);
    expect(await storedUat()).toBeGreaterThan(record.header.uat + 100);
  });

  it('treats a session whose data Redis lost as signed out, and signing in again works', async () => {
    const { browser } = await signedInBrowser(origin);
    await server().command(['FLUSHALL']);
    const profile = await browser.get(`${origin}/profile`);
    expect(profile.status).toBe(302);
    expect(profile.headers.location).toMatch(new RegExp(`^${stack.provider.origin}/authorize\\?`));
    const again = await signIn(browser, origin, undefined, '/profile');
    expect(again.landing.status).toBe(200);
  });

  it('answers a sign-in that completes while Redis is down with the 503 page, and the next one works', async () => {
    const browser = new TestBrowser();
    const { callbackUrl } = await reachCallback(browser, origin);
    await server().stop({ keepData: true });
    try {
      const callback = await browser.get(callbackUrl.href);
      expect(callback.status).toBe(503);
      expect(callback.text).toContain('Temporarily unavailable');
      expect(leaksIn(callback.text)).toEqual([]);
    } finally {
      await restart();
    }
    const again = await signIn(browser, origin, undefined, '/profile');
    expect(again.landing.status).toBe(200);
  });

  it('refuses a back-channel logout with 400 while Redis is down, and logs it', async () => {
    const { browser } = await signedInBrowser(origin);
    await server().stop({ keepData: true });
    try {
      const confirmed = await logOutAtProvider(browser, stack.provider.origin, stack.config.issuer.clientID);
      expect(confirmed.status).toBe(303);
      expect(stack.logs.lines().some((line) => line.event === 'auth.backchannel_logout.failed')).toBe(true);
    } finally {
      await restart();
    }
  });
});
