import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaksIn } from '../support/page-checks.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/** Names every plain object answers to: `table[code]` finds them on Object.prototype. */
const INHERITED_NAMES = Object.getOwnPropertyNames(Object.prototype);

describe('/callback with an error code named like an Object.prototype member', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ env: { SIGN_IN_RATE_LIMIT: '1000000' } });
  });
  afterAll(() => stack.close());

  it('answers an authorization error named like an Object.prototype member (constructor, toString...) with the 4xx page, not a 500 with a stack trace', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...INHERITED_NAMES),
        fc.constantFrom('text/html', 'application/json'),
        async (code, accept) => {
          // The attacker's own sign-in: /login hands anyone a transaction cookie and its state.
          const browser = stack.newBrowser();
          const login = await browser.get(`${stack.appOrigin}/login`);
          const state = new URL(login.headers.location as string).searchParams.get('state') ?? '';
          // The issuer is public (discovery); RFC 9207 has the provider send it, and openid-client checks it first.
          const iss = encodeURIComponent(stack.config.issuer.issuerBaseURL);
          const answer = await browser.get(
            `${stack.appOrigin}/callback?state=${encodeURIComponent(state)}&iss=${iss}&error=${encodeURIComponent(code)}`,
            { accept },
          );
          expect(answer.status, `error=${code}`).toBeLessThan(500);
          expect(leaksIn(answer.text), `error=${code}`).toEqual([]);
        },
      ),
      { numRuns: 30 },
    );
  });
});
