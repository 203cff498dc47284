import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { providerFaults } from '../support/provider-faults.js';
import { logOutAtProvider, signedInBrowser } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const MINUTE = 60_000;

/**
 * The discovery document and the key set are refreshed every 10 minutes. A refresh that fails (a
 * reset connection, a provider slow for a moment) must not throw away what was still usable: it
 * once did, and for FAILURE_MEMORY_MS every /login answered 503 and every back-channel logout was
 * refused with 400 (which providers do not retry, so those sessions outlived the provider session).
 *
 * Only Date is faked, and moves on with real time: sockets and timers are real.
 */
describe('one failed discovery refresh', () => {
  const faults = providerFaults();
  let stack: TestStack;
  const delivered: string[] = [];
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    stack = await startTestStack({ providerMiddleware: [faults.middleware] });
    stack.provider.provider.on('backchannel.success', () => delivered.push('success'));
    stack.provider.provider.on('backchannel.error', () => delivered.push('error'));
  });
  afterAll(async () => {
    await stack.close();
    vi.useRealTimers();
  });

  it('keeps serving sign-in and back-channel logout from the cached document when one refresh fails', async () => {
    const { browser } = await signedInBrowser(stack.appOrigin);
    expect((await new TestBrowser().get(`${stack.appOrigin}/readyz`)).status).toBe(200);

    // Ten minutes on, the cached document is due for a refresh; the one request for it fails.
    vi.setSystemTime(Date.now() + 10.5 * MINUTE);
    faults.set('/.well-known/openid-configuration', { kind: 'drop' });
    await new TestBrowser().get(`${stack.appOrigin}/readyz`);
    faults.clear();

    // The provider is fine again, at once: nothing here should fail.
    expect((await new TestBrowser().get(`${stack.appOrigin}/login`)).status).toBe(302);
    delivered.length = 0;
    expect((await logOutAtProvider(browser, stack.provider.origin, stack.config.issuer.clientID)).status).toBe(303);
    expect(delivered).toEqual(['success']);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
  });

  it('checks a logout token with the keys it has when refreshing the key set fails', async () => {
    const { browser } = await signedInBrowser(stack.appOrigin);
    // Ten more minutes: the keys are due for a refresh, and the provider's key set does not answer.
    vi.setSystemTime(Date.now() + 10.5 * MINUTE);
    faults.set('/.well-known/jwks.json', { kind: 'drop' });
    try {
      delivered.length = 0;
      expect((await logOutAtProvider(browser, stack.provider.origin, stack.config.issuer.clientID)).status).toBe(303);
      expect(delivered).toEqual(['success']);
      expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
    } finally {
      faults.clear();
    }
  });
});
