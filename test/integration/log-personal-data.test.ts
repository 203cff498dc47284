import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { providerFaults } from '../support/provider-faults.js';
import { providerLogoutToken } from '../support/provider-tokens.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/** A JWT anywhere in a text (its payload is claims), as the no-leaks test looks for them. */
const JWT_SHAPED = /eyJ[\w-]*\.[\w-]+\.[\w-]*/;

/**
 * Logs hold no claims, emails or names, and the user id is a claim: Auth0 builds `sub` from the
 * connection and the user's id there, and for enterprise, SAML, AD/LDAP and custom-database
 * connections that id is often the email (`samlp|acme|alice@acme.example`). It was logged as
 * `userId` on every signed-in request line and event; now a keyed hash of it is. Here the provider
 * sends a genuine logout token for such a user.
 */
describe('personal data through fields the app logs as identifiers', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it('writes no email to the log when the provider logs out a user whose id embeds one', async () => {
    const token = await providerLogoutToken(stack.provider, { sub: 'samlp|acme|alice.liddell@acme.example' });
    expect(
      (await new TestBrowser().post(`${stack.appOrigin}/backchannel-logout`, { logout_token: token })).status,
    ).toBe(200);
    expect(stack.logs.text()).not.toContain('alice.liddell@acme.example');
  });

  /**
   * The request line logs the path as sent: a JWT in a path (a mistyped link, a client that puts a
   * token where the query should be, a crawler replaying one) lands in the log in full, though the
   * README says nothing shaped like a JWT ever does. Low: this app never puts a token in a path.
   */
  it('writes no JWT to the log when one arrives in a request path', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ email: 'carol@example.com' })
      .setProtectedHeader({ alg: 'RS256' })
      .sign(privateKey);
    expect((await new TestBrowser().get(`${stack.appOrigin}/profile/${token}`)).status).toBe(404);
    expect(stack.logs.text()).not.toMatch(JWT_SHAPED);
  });
});

/**
 * A discovery answer that is not JSON (a maintenance page from a proxy in front of the provider,
 * an error page naming the signed-in person) is quoted in the SyntaxError the failed parse throws
 * (see test/unit/serialize-error-json.test.ts): none of it may reach the log.
 */
describe('a response body through a parse error', () => {
  const faults = providerFaults();
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ providerMiddleware: [faults.middleware] });
  });
  afterAll(() => stack.close());

  it('writes none of a non-JSON discovery answer to the log', async () => {
    faults.set('/.well-known/openid-configuration', {
      kind: 'answer',
      status: 200,
      type: 'text/html',
      body: `<html><body>Sorry Alice, maintenance until noon. ${'.'.repeat(200)}</body></html>`,
    });
    expect((await new TestBrowser().get(`${stack.appOrigin}/login`)).status).toBe(502);
    const log = stack.logs.text();
    expect(log).toContain('request failed');
    expect(log).not.toContain('<html>');
    expect(log).not.toMatch(/Sorry|Alice/);
  });
});
