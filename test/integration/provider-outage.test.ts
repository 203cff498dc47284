import { afterEach, describe, expect, it } from 'vitest';
import { startDevProvider, type DevProvider } from '../../src/dev-provider/dev-provider.js';
import { FAILURE_MEMORY_MS } from '../../src/sign-in/provider-metadata.js';
import { TestBrowser, type Page } from '../support/browser.js';
import { downProvider } from '../support/down-provider.js';
import { captureLogs } from '../support/logs.js';
import { leaksIn } from '../support/page-checks.js';
import { logoutClaims, signedByProviderKey } from '../support/provider-tokens.js';
import { signedInBrowser } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { eventually } from '../support/wait.js';

const FLOOD = 40;
const DISCOVERY = '/.well-known/openid-configuration';

/**
 * How many requests to a provider that is down a flood may cost: one per FAILURE_MEMORY_MS window
 * begun since `startedAt` (counted from the clock, so a slow machine is allowed its extra windows).
 */
const windowsSince = (startedAt: number) => Math.floor((Date.now() - startedAt) / FAILURE_MEMORY_MS) + 1;

/** Sends them one after the other, as a flood from one client does. */
async function oneByOne(count: number, send: (index: number) => Promise<Page>): Promise<Page[]> {
  const pages: Page[] = [];
  for (let sent = 0; sent < count; sent += 1) pages.push(await send(sent));
  return pages;
}

describe('a flood while the provider is down', () => {
  let stack: TestStack;
  let down: Awaited<ReturnType<typeof downProvider>> | undefined;
  let revived: DevProvider | undefined;
  afterEach(async () => {
    await down?.close();
    await revived?.close();
    await stack.close();
    down = undefined;
    revived = undefined;
  });

  /** Stops the real provider and puts a counting stand-in on its address. */
  async function stopProvider() {
    await stack.provider.close();
    down = await downProvider(stack.provider.origin);
    return down;
  }

  const postToken = async () =>
    new TestBrowser().post(`${stack.appOrigin}/backchannel-logout`, {
      logout_token: await signedByProviderKey(stack.signingKey, logoutClaims(stack.provider, { sub: 'auth0|someone' })),
    });

  it('of logout tokens, before anything was cached, costs it one discovery request per window', async () => {
    stack = await startTestStack();
    const provider = await stopProvider();
    const startedAt = Date.now();
    const answers = await oneByOne(FLOOD, postToken);
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 400));
    expect(provider.requests.length).toBeGreaterThanOrEqual(1);
    expect(provider.requests.length).toBeLessThanOrEqual(windowsSince(startedAt));
    expect(new Set(provider.requests)).toEqual(new Set([DISCOVERY]));
    const refusals = stack.logs
      .lines()
      .filter((line) => line.event === 'auth.backchannel_logout.refused' && Number(line.level) >= 30);
    expect(refusals.length).toBeLessThanOrEqual(2);
    expect(refusals[0]).toMatchObject({ reason: 'provider_unreachable' });
  });

  it('of logout tokens, with discovery cached but no keys yet, costs it one key-set request per window', async () => {
    stack = await startTestStack();
    expect((await new TestBrowser().get(`${stack.appOrigin}/readyz`)).status).toBe(200);
    const provider = await stopProvider();
    const startedAt = Date.now();
    const answers = await oneByOne(FLOOD, postToken);
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 400));
    expect(provider.requests.length).toBeGreaterThanOrEqual(1);
    expect(provider.requests.length).toBeLessThanOrEqual(windowsSince(startedAt));
    expect(provider.requests.every((path) => path.endsWith('jwks.json'))).toBe(true);
    const refusals = stack.logs.lines().filter((line) => line.event === 'auth.backchannel_logout.refused');
    expect(refusals[0]).toMatchObject({ reason: 'provider_unreachable', err: { type: 'KeySetUnavailable' } });
  });

  it('of /login and signed-out page visits costs it one request per window, each answered with the 503 page, and sign-in recovers without a restart', async () => {
    stack = await startTestStack({ env: { SIGN_IN_RATE_LIMIT: '1000' } });
    const provider = await stopProvider();
    const startedAt = Date.now();
    const pages = await oneByOne(FLOOD, (index) =>
      new TestBrowser().get(`${stack.appOrigin}${index % 4 === 3 ? '/profile' : '/login'}`),
    );
    expect(provider.requests.length).toBeGreaterThanOrEqual(1);
    expect(provider.requests.length).toBeLessThanOrEqual(windowsSince(startedAt));
    for (const page of pages) {
      expect(page.status).toBe(503);
      expect(page.text).toContain('<h1>Sign-in service unreachable</h1>');
      expect(leaksIn(page.text)).toEqual([]);
    }

    // The provider comes back on the same address: sign-in works again once the failure is forgotten.
    await provider.close();
    down = undefined;
    revived = await startDevProvider({
      appBaseURL: stack.appOrigin,
      nodeEnv: 'test',
      port: Number(new URL(stack.provider.origin).port),
      logger: captureLogs().logger,
    });
    await eventually(
      async () => (await new TestBrowser().get(`${stack.appOrigin}/readyz`)).status === 200,
      FAILURE_MEMORY_MS + 3000,
      'readiness',
    );
    const login = await new TestBrowser().get(`${stack.appOrigin}/login`);
    expect(login.status).toBe(302);
    expect(login.headers.location).toMatch(new RegExp(`^${stack.provider.origin}/authorize\\?`));
  });

  it("of /login when our discovery is cached but the sign-in library's is not costs it one request per window", async () => {
    stack = await startTestStack({ env: { SIGN_IN_RATE_LIMIT: '1000' } });
    // Readiness fetches our discovery document; nothing has started a sign-in yet.
    expect((await new TestBrowser().get(`${stack.appOrigin}/readyz`)).status).toBe(200);
    const provider = await stopProvider();
    const startedAt = Date.now();
    const pages = await oneByOne(FLOOD, () => new TestBrowser().get(`${stack.appOrigin}/login`));
    expect(pages.map((page) => page.status)).toEqual(pages.map(() => 503));
    expect(provider.requests.length).toBeGreaterThanOrEqual(1);
    expect(provider.requests.length).toBeLessThanOrEqual(windowsSince(startedAt));
  });

  it('leaves a signed-in visitor going to /login alone: back where they asked, no provider call', async () => {
    stack = await startTestStack();
    const browser = new TestBrowser();
    await signedInBrowser(stack.appOrigin, { browser });
    const provider = await stopProvider();
    const page = await browser.get(`${stack.appOrigin}/login?returnTo=/sessions`);
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe('/sessions');
    expect(provider.requests).toEqual([]);
  });
});
