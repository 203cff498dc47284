import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { leaksIn } from '../support/page-checks.js';
import { providerLogoutToken } from '../support/provider-tokens.js';
import { storedSession } from '../support/stored-session.js';
import { logOutAtProvider, signedInBrowser, signIn } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

async function signedInWithSession(stack: TestStack) {
  const signedIn = await signedInBrowser(stack.appOrigin);
  const stored = await storedSession(stack.store, signedIn.cookie);
  const sub = stored?.data.userinfo?.sub;
  const sid = stored?.data.sid;
  if (sub === undefined || sid === undefined) throw new Error('the stored session has no user or provider session id');
  return { ...signedIn, sub, sid, idToken: stored?.data.id_token ?? '' };
}

describe('POST /backchannel-logout (in-memory sessions, one instance)', () => {
  let stack: TestStack;
  const delivered: string[] = [];
  beforeAll(async () => {
    stack = await startTestStack();
    stack.provider.provider.on('backchannel.success', () => delivered.push('success'));
    stack.provider.provider.on('backchannel.error', () => delivered.push('error'));
  });
  afterAll(() => stack.close());

  const post = (form: Record<string, string>) => new TestBrowser().post(`${stack.appOrigin}/backchannel-logout`, form);

  it('ends the session when the provider session ends, and the provider sees 200', async () => {
    const { browser } = await signedInWithSession(stack);
    delivered.length = 0;
    expect((await logOutAtProvider(browser, stack.provider.origin, stack.config.issuer.clientID)).status).toBe(303);
    expect(delivered).toEqual(['success']);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
    // Signing in again afterwards works: nothing lingers that would refuse the new session.
    const again = await signIn(browser, stack.appOrigin, undefined, '/profile');
    expect(again.landing.status).toBe(200);
  });

  it('answers 200 with no-store and ends only the named provider session', async () => {
    const laptop = await signedInWithSession(stack);
    const phone = await signedInWithSession(stack);
    const response = await post({ logout_token: await providerLogoutToken(stack.provider, { sub: laptop.sub, sid: laptop.sid }) });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect((await laptop.browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
    expect((await phone.browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
  });

  it('ends every session of the user when the token names only the user', async () => {
    const laptop = await signedInWithSession(stack);
    const phone = await signedInWithSession(stack);
    expect((await post({ logout_token: await providerLogoutToken(stack.provider, { sub: laptop.sub }) })).status).toBe(200);
    expect((await laptop.browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
    expect((await phone.browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
  });

  it('refuses an ID token presented as a logout token with 400 JSON, and the session stays', async () => {
    const { browser, idToken } = await signedInWithSession(stack);
    const response = await post({ logout_token: idToken });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({ error: 'invalid_request', error_description: 'The logout token is not valid.' });
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
  });

  it('refuses a request without a logout token, or not sent as a form, with 400 JSON', async () => {
    const missing = await post({});
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'invalid_request', error_description: 'The request must be a form with a logout_token.' });
    const token = await providerLogoutToken(stack.provider, { sub: 'auth0|anyone' });
    const asJson = await request(stack.appOrigin).post('/backchannel-logout').send({ logout_token: token });
    expect(asJson.status).toBe(400);
    expect((await new TestBrowser().get(`${stack.appOrigin}/backchannel-logout`)).status).toBe(404);
  });

  it('refuses an oversized body with 413 JSON and no library text', async () => {
    const response = await post({ logout_token: 'x'.repeat(20_000) });
    expect(response.status).toBe(413);
    expect(response.body).toEqual({ error: 'invalid_request', error_description: 'The request is too large.' });
    expect(leaksIn(response.text)).toEqual([]);
  });

  it('never calls the provider to serve a signed-in page', async () => {
    const { browser } = await signedInWithSession(stack);
    const before = stack.providerRequests.length;
    for (const path of ['/profile', '/', '/sessions', '/profile']) {
      expect((await browser.get(`${stack.appOrigin}${path}`)).status).toBe(200);
    }
    expect(stack.providerRequests.length).toBe(before);
  });
});

describe('signed-in pages while the provider is down', () => {
  it('keep working from the session alone', async () => {
    const stack = await startTestStack();
    try {
      const { browser } = await signedInBrowser(stack.appOrigin);
      await stack.provider.close();
      expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
      expect((await browser.get(`${stack.appOrigin}/sessions`)).status).toBe(200);
    } finally {
      await stack.close();
    }
  });
});
