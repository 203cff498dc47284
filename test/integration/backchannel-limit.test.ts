import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { storedSession } from '../support/stored-session.js';
import { logOutAtProvider, signedInBrowser } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/**
 * The provider's calls come from a few addresses that others share (a cloud egress, a NAT, or
 * Auth0's own egress, which every tenant's back-channel logouts leave from: any Auth0 customer can
 * point their tenant's back-channel URL here). When the limit counted every request before the
 * token was judged, whoever shared the provider's address could spend its allowance with garbage,
 * and the provider's genuine logout got 429: the session outlived the provider session. Here the
 * provider and the attacker both call from 127.0.0.1, as they would from one egress address.
 */
describe('the back-channel limit, spent by someone sharing the provider’s address', () => {
  const LIMIT = 20;
  let stack: TestStack;
  const delivered: string[] = [];
  beforeAll(async () => {
    stack = await startTestStack({ env: { BACKCHANNEL_LOGOUT_RATE_LIMIT: String(LIMIT) } });
    stack.provider.provider.on('backchannel.success', () => delivered.push('success'));
    stack.provider.provider.on('backchannel.error', () => delivered.push('error'));
  });
  afterAll(() => stack.close());

  it('still ends the session when the provider logs the user out after a flood of forged tokens from its address', async () => {
    const { browser, cookie } = await signedInBrowser(stack.appOrigin);
    expect((await storedSession(stack.store, cookie))?.data.sid).toBeDefined();

    // The attacker: twice LIMIT junk posts from the address the provider also calls from; beyond the limit they get 429.
    const junk = await Promise.all(
      Array.from({ length: 2 * LIMIT }, () =>
        new TestBrowser().post(`${stack.appOrigin}/backchannel-logout`, {
          logout_token: `junk.${randomBytes(8).toString('hex')}.x`,
        }),
      ),
    );
    expect(junk.filter((answer) => answer.status === 400)).toHaveLength(LIMIT);
    expect(junk.filter((answer) => answer.status === 429)).toHaveLength(LIMIT);

    // The user logs out at the provider, which sends its genuine, validly signed logout token.
    delivered.length = 0;
    expect((await logOutAtProvider(browser, stack.provider.origin, stack.config.issuer.clientID)).status).toBe(303);
    expect(delivered).toEqual(['success']);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
  });
});
