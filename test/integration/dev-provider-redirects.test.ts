import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { rawGet } from '../support/raw-request.js';
import { alice, submitLogin } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/*
 * Where the embedded development provider sends browsers: never to an address built from what the
 * client sent (the request target, the Host header) rather than from its issuer.
 */

describe('redirects of the embedded provider', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it('never redirects a folder of its assets to the host of an absolute-form request target (GET http://evil.example/assets/avatars)', async () => {
    // The app's own assets are served with redirect: false for exactly this reason; the provider's are not.
    const response = await rawGet(stack.provider.origin, 'http://evil.example/assets/avatars');
    expect(new URL(String(response.headers.location ?? '/'), stack.provider.origin).origin).toBe(stack.provider.origin);
  });

  it('answers only requests addressed to its own host, so it never builds a URL from another (oidc-provider takes the way back from Host)', async () => {
    const browser = new TestBrowser();
    const start = await browser.get(`${stack.appOrigin}/login`);
    const authorizeUrl = String(start.headers.location);
    const misdirected = await browser.get(authorizeUrl, { host: 'evil.example' });
    expect(misdirected.status).toBe(421);
    expect(misdirected.headers.location).toBeUndefined();
    expect(misdirected.text).not.toContain('evil.example');
    // Addressed to the provider itself, the same request goes on to its login form.
    const atProvider = await browser.get(authorizeUrl);
    const loginPage = await browser.get(new URL(String(atProvider.headers.location), stack.provider.origin).href);
    const submitted = await submitLogin(browser, loginPage, alice.email, alice.password);
    expect(submitted.status).toBe(303);
    expect(new URL(String(submitted.headers.location), submitted.url).origin).toBe(stack.provider.origin);
  });
});
