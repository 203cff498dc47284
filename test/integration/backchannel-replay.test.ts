import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { signedByProviderKey } from '../support/provider-tokens.js';
import { storedSession } from '../support/stored-session.js';
import { signIn, signedInBrowser } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const MINUTE = 60_000;

/**
 * "A token is acted on once". A logout token is accepted while its iat is at most 10 minutes old
 * plus 60 s of tolerance, and up to 60 s in the future, so a token from a provider whose clock runs
 * a minute ahead is accepted for about 12 minutes after it arrives. Its jti mark once lasted a
 * fixed 11 minutes: a captured token (without `exp`) replayed in the gap was acted on a second
 * time, ending the user's sign-in after the logout under the same provider session. The mark now
 * lasts as long as the token itself would be accepted.
 *
 * Only Date is faked, and moves on with real time: sockets and timers are real.
 */
describe('replaying a logout token while it is still accepted', () => {
  let stack: TestStack;
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.close();
    vi.useRealTimers();
  });

  it('does not act on the same token twice while the token itself is still accepted', async () => {
    const { browser, cookie } = await signedInBrowser(stack.appOrigin);
    const sid = (await storedSession(stack.store, cookie))?.data.sid;
    if (sid === undefined) throw new Error('the stored session has no provider session id');

    // A provider whose clock is 55 s ahead: within the 60 s tolerance.
    const iat = Math.floor(Date.now() / 1000) + 55;
    const token = await signedByProviderKey(stack.signingKey, {
      iss: stack.provider.issuer.issuerBaseURL,
      aud: stack.provider.issuer.clientID,
      iat,
      jti: randomUUID(),
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      sid,
    });
    const post = () => new TestBrowser().post(`${stack.appOrigin}/backchannel-logout`, { logout_token: token });
    expect((await post()).status).toBe(200);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);

    // 11.5 minutes later the user signs in again, and the provider says the same session.
    vi.setSystemTime(Date.now() + 11.5 * MINUTE);
    const again = await signIn(browser, stack.appOrigin, undefined, '/profile');
    expect(again.landing.status).toBe(200);
    const cookies = browser.cookies(stack.appOrigin);
    expect((await storedSession(stack.store, cookies.session ?? ''))?.data.sid).toBe(sid);

    // The replay: accepted again (200 either way), and must end nothing.
    expect((await post()).status).toBe(200);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
  });
});
