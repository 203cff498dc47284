import { randomBytes } from 'node:crypto';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { leaksIn } from '../support/page-checks.js';
import type { Page } from '../support/browser.js';
import { logoutClaims, providerLogoutToken, signedByProviderKey } from '../support/provider-tokens.js';
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
    const response = await post({
      logout_token: await providerLogoutToken(stack.provider, { sub: laptop.sub, sid: laptop.sid }),
    });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect((await laptop.browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
    expect((await phone.browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
  });

  it('ends every session of the user when the token names only the user', async () => {
    const laptop = await signedInWithSession(stack);
    const phone = await signedInWithSession(stack);
    expect((await post({ logout_token: await providerLogoutToken(stack.provider, { sub: laptop.sub }) })).status).toBe(
      200,
    );
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

  it('ends the sessions a logout token without typ names, as Auth0 sends them', async () => {
    const { browser, sid } = await signedInWithSession(stack);
    const token = await signedByProviderKey(stack.signingKey, logoutClaims(stack.provider, { sid }));
    expect((await post({ logout_token: token })).status).toBe(200);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
  });

  it('refuses an ID token signed by the provider however it is dressed up, and the session stays', async () => {
    const { browser, idToken, sid } = await signedInWithSession(stack);
    const claims = decodeJwt(idToken);
    expect(claims.nonce).toBeDefined();
    const events = logoutClaims(stack.provider, { sid }).events;
    const { nonce: _nonce, ...withoutNonce } = claims;
    const dressedUp = [
      // As issued: no typ, a nonce, no events.
      idToken,
      await signedByProviderKey(stack.signingKey, claims, { typ: 'JWT' }),
      await signedByProviderKey(stack.signingKey, { ...claims, events }),
      await signedByProviderKey(stack.signingKey, { ...withoutNonce, events }, { typ: 'JWT' }),
      await signedByProviderKey(stack.signingKey, withoutNonce),
    ];
    for (const token of dressedUp) {
      const response = await post({ logout_token: token });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error: 'invalid_request', error_description: 'The logout token is not valid.' });
    }
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
  });

  it('refuses a token under a kid the provider never published, and still accepts the next valid one at once', async () => {
    const { browser, sid } = await signedInWithSession(stack);
    // Cold caches (as after a restart): the unknown kid arrives with the first key-set fetch.
    stack.restartApp();
    const attacker = (await generateKeyPair('RS256')).privateKey;
    const unknownKid = await new SignJWT(logoutClaims(stack.provider, { sid }))
      .setProtectedHeader({ alg: 'RS256', kid: 'not-published' })
      .sign(attacker);
    expect((await post({ logout_token: unknownKid })).status).toBe(400);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    // A key set without that kid is an answer, not a failure to remember: nothing blocks the next token.
    expect(
      (await post({ logout_token: await signedByProviderKey(stack.signingKey, logoutClaims(stack.provider, { sid })) }))
        .status,
    ).toBe(200);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
  });

  it('refuses a request without a logout token, or not sent as a form, with 400 JSON', async () => {
    const missing = await post({});
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({
      error: 'invalid_request',
      error_description: 'The request must be a form with a logout_token.',
    });
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

/** Sends every request, `concurrency` at a time, and returns the answers in order. */
async function inBatches(requests: (() => Promise<Page>)[], concurrency = 20): Promise<Page[]> {
  const answers: Page[] = [];
  for (let start = 0; start < requests.length; start += concurrency) {
    answers.push(...(await Promise.all(requests.slice(start, start + concurrency).map((send) => send()))));
  }
  return answers;
}

/** Lines a production log (LOG_LEVEL=info, the default) would show. */
const shownAtInfo = (stack: TestStack) => stack.logs.lines().filter((line) => Number(line.level) >= 30);

describe('POST /backchannel-logout under a flood', () => {
  it('lets a burst of 300 logout tokens from the provider through with the default limit', async () => {
    const stack = await startTestStack();
    try {
      const tokens = await Promise.all(
        Array.from({ length: 300 }, () =>
          signedByProviderKey(stack.signingKey, logoutClaims(stack.provider, { sid: randomBytes(8).toString('hex') })),
        ),
      );
      const answers = await inBatches(
        tokens.map(
          (token) => () => new TestBrowser().post(`${stack.appOrigin}/backchannel-logout`, { logout_token: token }),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
      expect(stack.config.backchannelLogoutRateLimit).toBeGreaterThan(300);
    } finally {
      await stack.close();
    }
  });

  it('answers refusals beyond BACKCHANNEL_LOGOUT_RATE_LIMIT with 429, in the JSON of the route with Retry-After, logs it once, and still takes a valid token', async () => {
    const stack = await startTestStack({ env: { BACKCHANNEL_LOGOUT_RATE_LIMIT: '40' } });
    try {
      const attacker = (await generateKeyPair('RS256')).privateKey;
      const forged = async () =>
        new SignJWT(logoutClaims(stack.provider, { sub: 'auth0|nobody' }))
          .setProtectedHeader({ alg: 'RS256', kid: stack.signingKey.kid })
          .sign(attacker);
      const send = async () =>
        new TestBrowser().post(`${stack.appOrigin}/backchannel-logout`, { logout_token: await forged() });
      const refused = await inBatches(Array.from({ length: 40 }, () => send));
      expect(refused.map((answer) => answer.status)).toEqual(refused.map(() => 400));
      const before = shownAtInfo(stack).length;
      const beyond = await inBatches(Array.from({ length: 60 }, () => send));
      expect(beyond.map((answer) => answer.status)).toEqual(beyond.map(() => 429));
      const [first] = beyond;
      expect(first?.body).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'Too many requests. Retry after the time in Retry-After.',
      });
      expect(first?.headers['cache-control']).toBe('no-store');
      expect(Number(first?.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(first?.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(first?.headers.ratelimit).toMatch(/^limit=40, remaining=0, reset=\d+$/);
      const logged = shownAtInfo(stack).slice(before);
      expect(logged).toEqual([
        expect.objectContaining({
          level: 40,
          event: 'auth.backchannel_logout.refused',
          reason: 'too_many_requests',
          status: 429,
        }),
      ]);
      const valid = await new TestBrowser().post(`${stack.appOrigin}/backchannel-logout`, {
        logout_token: await signedByProviderKey(
          stack.signingKey,
          logoutClaims(stack.provider, { sub: 'auth0|nobody' }),
        ),
      });
      expect(valid.status).toBe(200);
    } finally {
      await stack.close();
    }
  });

  it('logs a flood of 500 bad tokens in a handful of lines, with no stack and no token', async () => {
    const stack = await startTestStack();
    try {
      const attacker = (await generateKeyPair('RS256')).privateKey;
      const forged = await Promise.all(
        Array.from({ length: 50 }, () =>
          new SignJWT(logoutClaims(stack.provider, { sub: 'auth0|victim' }))
            .setProtectedHeader({ alg: 'RS256', kid: stack.signingKey.kid })
            .sign(attacker),
        ),
      );
      const tokens = [
        ...forged,
        ...Array.from({ length: 450 }, () => `not-a-token-${randomBytes(12).toString('hex')}`),
      ];
      const before = shownAtInfo(stack).length;
      const answers = await inBatches(
        tokens.map(
          (token) => () => new TestBrowser().post(`${stack.appOrigin}/backchannel-logout`, { logout_token: token }),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 400));

      const logged = shownAtInfo(stack).slice(before);
      expect(logged.length).toBeLessThanOrEqual(3);
      expect(logged[0]).toMatchObject({
        level: 40,
        event: 'auth.backchannel_logout.refused',
        reason: 'invalid_token',
        err: { type: 'InvalidLogoutToken' },
      });
      const log = stack.logs.text();
      expect(log).not.toContain('"stack"');
      expect(tokens.filter((token) => log.includes(token))).toEqual([]);
      expect(log.match(/eyJ[\w-]*\.[\w-]+\.[\w-]*/g) ?? []).toEqual([]);
      // Every request is still on record for whoever turns on debug.
      const requestLines = stack.logs.lines().filter((line) => line.msg === 'POST /backchannel-logout 400');
      expect(requestLines).toHaveLength(500);
      expect(requestLines.every((line) => line.level === 20)).toBe(true);
    } finally {
      await stack.close();
    }
  });
});
