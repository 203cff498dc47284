import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import {
  flippedSignature,
  forgeIdTokens,
  hmacWithClientSecret,
  resignedByProvider,
  signedWithForeignKey,
  unsigned,
  type IdTokenForgery,
} from '../support/id-token-forgery.js';
import { leaksIn, setCookies } from '../support/page-checks.js';
import { reachCallback, signIn } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const now = () => Math.floor(Date.now() / 1000);

describe('verifying the ID token at /callback', () => {
  let stack: TestStack;
  let forgery: IdTokenForgery | undefined;
  const calls = (path: string) => stack.providerRequests.filter((requested) => requested === path).length;

  beforeAll(async () => {
    stack = await startTestStack({ providerMiddleware: [forgeIdTokens(() => forgery)] });
  });
  afterEach(() => {
    forgery = undefined;
  });
  afterAll(() => stack.close());

  it('accepts a token re-signed by the provider with its claims unchanged (the forgery harness alone breaks nothing)', async () => {
    forgery = resignedByProvider(stack.signingKey);
    const { landing } = await signIn(new TestBrowser(), stack.appOrigin, undefined, '/profile');
    expect(landing.status).toBe(200);
    expect(landing.text).toContain('<h1>Alice Liddell</h1>');
  });

  const kid = () => String(stack.signingKey.kid);
  const refused: [string, () => IdTokenForgery][] = [
    ['signed by a foreign key under the provider kid', () => signedWithForeignKey(kid())],
    ['signed by a foreign key that it carries in a jwk header', () => signedWithForeignKey(kid(), { embedKey: true })],
    ['signed by a foreign key under an unknown kid', () => signedWithForeignKey('attacker-key')],
    ['with a corrupted signature', () => flippedSignature],
    ['with alg none and no signature', () => unsigned],
    ['signed with HS256 and the client secret', () => hmacWithClientSecret(stack.config.issuer.clientSecret)],
    [
      'from another issuer',
      () => resignedByProvider(stack.signingKey, (claims) => ({ ...claims, iss: `${String(claims.iss)}1` })),
    ],
    [
      'for another audience',
      () => resignedByProvider(stack.signingKey, (claims) => ({ ...claims, aud: 'another-client' })),
    ],
    [
      'for a second audience without azp',
      () =>
        resignedByProvider(stack.signingKey, (claims) => ({
          ...claims,
          aud: [stack.config.issuer.clientID, 'another-client'],
        })),
    ],
    [
      'that expired two minutes ago',
      () => resignedByProvider(stack.signingKey, (claims) => ({ ...claims, iat: now() - 600, exp: now() - 120 })),
    ],
    [
      'with a wrong nonce',
      () => resignedByProvider(stack.signingKey, (claims) => ({ ...claims, nonce: `${String(claims.nonce)}1` })),
    ],
    ['without a nonce', () => resignedByProvider(stack.signingKey, ({ nonce: _nonce, ...claims }) => claims)],
    ['without a subject', () => resignedByProvider(stack.signingKey, ({ sub: _sub, ...claims }) => claims)],
  ];

  it.each(refused)('refuses a token %s: error page, no session, no /userinfo call', async (_case, makeForgery) => {
    forgery = makeForgery();
    const browser = new TestBrowser();
    const { callbackUrl } = await reachCallback(browser, stack.appOrigin);
    const [tokenCalls, userinfoCalls] = [calls('/oauth/token'), calls('/userinfo')];

    const page = await browser.get(callbackUrl.href);

    expect(page.status).toBe(400);
    expect(page.text).toContain('<a class="button" href="/login">Try again</a>');
    expect(leaksIn(page.text)).toEqual([]);
    expect(setCookies(page.headers).filter((cookie) => cookie.name === 'session' && cookie.value !== '')).toEqual([]);
    expect(calls('/oauth/token')).toBe(tokenCalls + 1);
    expect(calls('/userinfo')).toBe(userinfoCalls);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
    const logged = stack.logs
      .lines()
      .filter((line) => line.reqId === page.headers['x-request-id'] && line.msg === 'request refused');
    expect(logged).toHaveLength(1);
  });
});
