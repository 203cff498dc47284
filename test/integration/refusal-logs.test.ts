import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { logoutClaims, signedByProviderKey } from '../support/provider-tokens.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/** Lines a production log (LOG_LEVEL=info, the default) would show. */
const shownAtInfo = (stack: TestStack) => stack.logs.lines().filter((line) => Number(line.level) >= 30);

/**
 * Refusals were sampled by (event, reason) only, and every bad token shares the reason
 * `invalid_token`: one junk post a minute took that minute's only full line, so when the
 * provider's own, validly signed logout token was refused (its clock drifted, a key rolled, a claim
 * changed), the operator saw only "N more" a minute later, never why. Refusals are now sampled per
 * check that refused them too, and a check past the signature can only be failed by the provider.
 */
describe('a refusal of the provider’s own token, after junk', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  const post = (token: string) =>
    new TestBrowser().post(`${stack.appOrigin}/backchannel-logout`, { logout_token: token });

  it('logs the refusal of a token signed with the provider’s key in full, with its cause, even after junk in the same minute', async () => {
    expect((await post('junk')).status).toBe(400);
    const before = shownAtInfo(stack).length;

    // The provider's clock is 20 minutes behind: its genuine logout tokens are all too old.
    const stale = Math.floor(Date.now() / 1000) - 20 * 60;
    const genuine = await signedByProviderKey(stack.signingKey, {
      ...logoutClaims(stack.provider, { sub: 'auth0|someone' }),
      iat: stale,
      exp: stale + 120 * 60,
    });
    expect((await post(genuine)).status).toBe(400);

    const logged = shownAtInfo(stack).slice(before);
    const causes = logged
      .filter((line) => line.event === 'auth.backchannel_logout.refused')
      .map((line) => (line.err as { cause?: { code?: unknown } } | undefined)?.cause?.code);
    expect(causes).toContain('ERR_JWT_EXPIRED');
  });
});
