import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { ProviderMiddleware } from '../../src/dev-provider/dev-provider.js';
import { createSessionStore } from '../../src/sessions/create-session-store.js';
import type { AppSessionData, StoredSession } from '../../src/sessions/session-data.js';
import { isStoredSession } from '../../src/sessions/session-lifetime.js';
import type { SessionStore } from '../../src/sessions/session-registry.js';
import type { completeSignIn } from '../../src/sign-in/complete-sign-in.js';
import { TestBrowser } from '../support/browser.js';
import { captureLogs } from '../support/logs.js';
import { setCookies } from '../support/page-checks.js';
import { rawGet, type RawResponse } from '../support/raw-request.js';
import { authorize, reachCallback, signedInBrowser, signIn } from '../support/sign-in.js';
import { SESSION_COOKIE_VALUE, storedSession } from '../support/stored-session.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import {
  readTransactionCookie,
  signTransactionCookie,
  stateWith,
  type TransactionChecks,
} from '../support/transaction-cookie.js';

/**
 * The contract with express-openid-connect (docs/express-openid-connect.md): every behaviour of the
 * library the app relies on, through the real library, the production createApp and the embedded
 * provider. Run it first before moving the library's pin.
 */

interface AfterCallbackCall {
  /** What the library handed afterCallback, as it was then. */
  session: AppSessionData;
  /** The state object it was given, before and after it ran (it may rewrite returnTo). */
  stateBefore?: Record<string, unknown>;
  stateAfter?: Record<string, unknown>;
  returned?: AppSessionData;
}

// One log of what reaches the session store and our afterCallback, in order.
const recorded = vi.hoisted(() => ({ events: [] as string[], calls: [] as AfterCallbackCall[] }));

// A pass-through around the app's own afterCallback (sign-in/complete-sign-in.ts), to see what the
// library gives it and what it returns: it still does all of its work, and nothing of the library,
// openid-client or the provider is replaced.
vi.mock('../../src/sign-in/complete-sign-in.js', async (importOriginal) => {
  const original = await importOriginal<{ completeSignIn: typeof completeSignIn }>();
  return {
    ...original,
    completeSignIn: (options: Parameters<typeof completeSignIn>[0]) => {
      const afterCallback = original.completeSignIn(options);
      const recording: typeof afterCallback = async (req, res, session, state) => {
        const call: AfterCallbackCall = { session: structuredClone(session), stateBefore: structuredClone(state) };
        recorded.calls.push(call);
        recorded.events.push('afterCallback');
        call.returned = await afterCallback(req, res, session, state);
        call.stateAfter = structuredClone(state);
        return call.returned;
      };
      return recording;
    },
  };
});

const SECRET = 'test-secret-'.padEnd(40, 'x');
const ENV = { SESSION_IDLE_TIMEOUT: '600', SESSION_ABSOLUTE_TIMEOUT: '3600', SIGN_IN_RATE_LIMIT: '1000', SECRET };
/** What express-openid-connect would read from the environment if the app let it (lib/config.js). */
const LIBRARY_ENV = {
  SECRET: 'secret-from-the-environment',
  ISSUER_BASE_URL: 'https://issuer-from-the-environment.example',
  BASE_URL: 'https://base-from-the-environment.example',
  CLIENT_ID: 'client-from-the-environment',
  CLIENT_SECRET: 'client-secret-from-the-environment',
  AUTH0_MTLS: 'true',
};

const now = () => Math.floor(Date.now() / 1000);

/** The production store, with every get, set and destroy logged (set with the record it was given). */
async function watchedStore(): Promise<{ store: SessionStore; writes: { id: string; record: StoredSession }[] }> {
  const config = loadConfig({ NODE_ENV: 'test', ...ENV });
  const store = await createSessionStore(config, captureLogs().logger);
  const writes: { id: string; record: StoredSession }[] = [];
  const [get, set, destroy] = [store.get.bind(store), store.set.bind(store), store.destroy.bind(store)];
  store.get = (id, callback) => {
    recorded.events.push(`get ${id}`);
    get(id, callback);
  };
  store.set = (id, record, callback) => {
    recorded.events.push(`set ${id}`);
    writes.push({ id, record: structuredClone(record) });
    set(id, record, callback);
  };
  store.destroy = (id, callback) => {
    recorded.events.push(`destroy ${id}`);
    destroy(id, callback);
  };
  return { store, writes };
}

/** What the provider saw: token responses, redirect URIs redeemed, /userinfo credentials, the library's discovery requests. */
function watchedProvider() {
  const seen = {
    tokenResponses: [] as Record<string, unknown>[],
    redeemedRedirectUris: [] as unknown[],
    userinfoAuthorizations: [] as (string | undefined)[],
    libraryDiscoveries: 0,
  };
  const middleware: ProviderMiddleware = async (ctx, next) => {
    if (ctx.path === '/userinfo') seen.userinfoAuthorizations.push(ctx.get('authorization') || undefined);
    if (ctx.path === '/.well-known/openid-configuration' && ctx.get('user-agent').startsWith('express-openid-connect/'))
      seen.libraryDiscoveries += 1;
    await next();
    if (ctx.oidc?.route !== 'token') return;
    seen.redeemedRedirectUris.push(ctx.oidc.params?.redirect_uri);
    if (ctx.status === 200) seen.tokenResponses.push({ ...(ctx.body as Record<string, unknown>) });
  };
  return { seen, middleware };
}

function sessionSetCookies(page: { headers: Record<string, unknown> }) {
  return setCookies(page.headers).filter((cookie) => cookie.name === 'session');
}

function decodedState(state: string | null): Record<string, unknown> {
  return JSON.parse(Buffer.from(state ?? '', 'base64url').toString()) as Record<string, unknown>;
}

function lastCall(): AfterCallbackCall {
  const call = recorded.calls.at(-1);
  if (!call) throw new Error('afterCallback never ran');
  return call;
}

const { store, writes } = await watchedStore();

describe('express-openid-connect, as the app relies on it', () => {
  const saved = Object.fromEntries(Object.keys(LIBRARY_ENV).map((name) => [name, process.env[name]]));
  const provider = watchedProvider();
  let stack: TestStack;

  beforeAll(async () => {
    Object.assign(process.env, LIBRARY_ENV);
    stack = await startTestStack({ env: ENV, store, providerMiddleware: [provider.middleware] });
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
    await stack.close();
  });

  /** A sign-in up to the callback, then the callback itself with only what the test changed in its transaction cookie. */
  async function callbackWith(
    change: (checks: TransactionChecks) => TransactionChecks,
    statePassedToProvider?: string,
  ): Promise<RawResponse> {
    const browser = new TestBrowser();
    const start = await browser.get(`${stack.appOrigin}/login`);
    const authorizeUrl = new URL(String(start.headers.location));
    if (statePassedToProvider !== undefined) authorizeUrl.searchParams.set('state', statePassedToProvider);
    const checks = readTransactionCookie(browser.cookies(stack.appOrigin).auth_verification ?? '');
    const cookie = await signTransactionCookie('auth_verification', change(checks), stack.config.secrets);
    const callbackUrl = await authorize(browser, stack.appOrigin, authorizeUrl);
    recorded.events.length = 0;
    return rawGet(stack.appOrigin, `${callbackUrl.pathname}${callbackUrl.search}`, {
      cookie: `auth_verification=${cookie}`,
    });
  }

  describe('configuration', () => {
    it('takes every setting from the app, none from the environment variables it would otherwise read', async () => {
      const browser = new TestBrowser();
      const start = await browser.get(`${stack.appOrigin}/login`);
      const authorizeUrl = new URL(String(start.headers.location));
      expect(authorizeUrl.origin).toBe(stack.provider.origin);
      expect(authorizeUrl.searchParams.get('client_id')).toBe(stack.config.issuer.clientID);
      expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(`${stack.appOrigin}/callback`);
      const { landing } = await signIn(browser, stack.appOrigin, undefined, '/profile');
      expect(landing.status).toBe(200);
    });

    it('caches the discovery document: further sign-ins make no discovery request of its own', async () => {
      await new TestBrowser().get(`${stack.appOrigin}/login`);
      const before = provider.seen.libraryDiscoveries;
      for (let i = 0; i < 3; i += 1) expect((await new TestBrowser().get(`${stack.appOrigin}/login`)).status).toBe(302);
      expect(before).toBe(1);
      expect(provider.seen.libraryDiscoveries).toBe(before);
    });
  });

  describe('GET /login: the library never sees or writes an existing session', () => {
    it('with no session cookie: no store access and no session cookie', async () => {
      recorded.events.length = 0;
      const page = await new TestBrowser().get(`${stack.appOrigin}/login`);
      expect(page.status).toBe(302);
      expect(recorded.events).toEqual([]);
      expect(sessionSetCookies(page)).toEqual([]);
    });

    it("with a valid session cookie: loadSession's one read, no write, no session cookie", async () => {
      const { browser, cookie } = await signedInBrowser(stack.appOrigin);
      recorded.events.length = 0;
      const page = await browser.get(`${stack.appOrigin}/login?returnTo=%2Fsessions`);
      expect(page.status).toBe(302);
      expect(page.headers.location).toBe('/sessions');
      expect(recorded.events).toEqual([`get ${cookie}`]);
      expect(sessionSetCookies(page)).toEqual([]);
    });

    it("with a forged session cookie: no store access, and only loadSession's deletion of the cookie", async () => {
      const forged = `${'ab'.repeat(16)}.${'x'.repeat(43)}`;
      recorded.events.length = 0;
      const page = await new TestBrowser().get(`${stack.appOrigin}/login`, { cookie: `session=${forged}` });
      expect(page.status).toBe(302);
      expect(recorded.events).toEqual([]);
      expect(sessionSetCookies(page)).toEqual([expect.objectContaining({ value: '' })]);
    });
  });

  describe('the start of a sign-in', () => {
    it('sends code with PKCE S256, a nonce and a state, all three kept in one signed, HttpOnly, Lax transaction cookie', async () => {
      const page = await new TestBrowser().get(`${stack.appOrigin}/login`);
      const params = new URL(String(page.headers.location)).searchParams;
      const cookies = setCookies(page.headers);
      expect(cookies.map((cookie) => cookie.name)).toEqual(['auth_verification']);
      const [transaction] = cookies;
      expect(transaction?.attributes).toMatchObject({ httponly: true, samesite: 'Lax', path: '/' });
      const checks = readTransactionCookie(transaction?.value ?? '');
      expect(params.get('response_type')).toBe('code');
      expect(params.get('code_challenge_method')).toBe('S256');
      expect(params.get('code_challenge')).toBe(
        createHash('sha256')
          .update(checks.code_verifier ?? '')
          .digest('base64url'),
      );
      expect(params.get('nonce')).toBe(checks.nonce);
      expect(params.get('state')).toBe(checks.state);
    });

    it('makes the state with our getLoginState: the returnTo asked for and a random part, new for each sign-in', async () => {
      const states = [];
      for (let i = 0; i < 2; i += 1) {
        const page = await new TestBrowser().get(`${stack.appOrigin}/login?returnTo=%2Fsessions`);
        states.push(decodedState(new URL(String(page.headers.location)).searchParams.get('state')));
      }
      expect(states[0]).toEqual({ returnTo: '/sessions', csrf: expect.stringMatching(/^[\w-]{22}$/) as unknown });
      expect(states[1]?.csrf).not.toBe(states[0]?.csrf);
    });
  });

  describe('GET /callback', () => {
    it('calls afterCallback, then stores the session once, under a new id from our genid, and sends that id in the session cookie', async () => {
      const browser = new TestBrowser();
      const { callbackUrl } = await reachCallback(browser, stack.appOrigin);
      recorded.events.length = 0;
      const callback = await browser.get(callbackUrl.href);
      const [issued, ...more] = sessionSetCookies(callback);
      expect(more).toEqual([]);
      expect(issued?.value).toMatch(SESSION_COOKIE_VALUE);
      expect(stack.store.ids.verify(issued?.value ?? '')).toBe(true);
      expect(recorded.events).toEqual(['afterCallback', `set ${issued?.value ?? ''}`]);
      expect(issued?.attributes).toMatchObject({ httponly: true, samesite: 'Lax', path: '/' });
    });

    it('hands the store the {header, data, cookie} record that loadSession reads, and the cookie expires with it', async () => {
      const browser = new TestBrowser();
      const { callback, landing } = await signIn(browser, stack.appOrigin, undefined, '/profile');
      const written = writes.at(-1);
      const signedInAt = written?.record.header.iat ?? 0;
      expect(written?.id).toBe(browser.cookies(stack.appOrigin).session);
      expect(written?.record).toEqual({
        header: { iat: signedInAt, uat: signedInAt, exp: signedInAt + 600 },
        data: expect.objectContaining({ id_token: expect.any(String) as unknown }) as unknown,
        cookie: { expires: (signedInAt + 600) * 1000, maxAge: expect.any(Number) as unknown },
      });
      expect(Math.abs(signedInAt - now())).toBeLessThanOrEqual(2);
      expect(isStoredSession(written?.record)).toBe(true);
      // The library reads the clock again for the cookie, a moment after the record: the same second, or the next.
      const cookieExpires = new Date(String(sessionSetCookies(callback)[0]?.attributes.expires)).getTime();
      expect(cookieExpires - (signedInAt + 600) * 1000).toBeGreaterThanOrEqual(0);
      expect(cookieExpires - (signedInAt + 600) * 1000).toBeLessThanOrEqual(1000);
      expect(landing.status).toBe(200);
    });

    it('hands afterCallback the token response: id_token, access_token, refresh_token, token_type Bearer, expires_at in epoch seconds, and sid', async () => {
      await signIn(new TestBrowser(), stack.appOrigin);
      const { session } = lastCall();
      const tokens = provider.seen.tokenResponses.at(-1) ?? {};
      expect(Object.keys(session).sort()).toEqual([
        'access_token',
        'expires_at',
        'id_token',
        'refresh_token',
        'sid',
        'token_type',
      ]);
      expect(session.id_token).toBe(tokens.id_token);
      expect(session.access_token).toBe(tokens.access_token);
      expect(session.refresh_token).toBe(tokens.refresh_token);
      expect(session.token_type).toBe('Bearer');
      expect(Number.isInteger(session.expires_at)).toBe(true);
      expect(Math.abs((session.expires_at ?? 0) - (now() + Number(tokens.expires_in)))).toBeLessThanOrEqual(2);
      expect(session.sid).toBe(decodeJwt(String(tokens.id_token)).sid);
    });

    it('lets afterCallback fetch /userinfo with the new access token', async () => {
      provider.seen.userinfoAuthorizations.length = 0;
      await signIn(new TestBrowser(), stack.appOrigin);
      expect(provider.seen.userinfoAuthorizations).toEqual([`Bearer ${String(lastCall().session.access_token)}`]);
    });

    it('stores exactly what afterCallback returns', async () => {
      await signIn(new TestBrowser(), stack.appOrigin);
      const { returned } = lastCall();
      expect(returned).toHaveProperty('userinfo');
      expect(returned).not.toHaveProperty('access_token');
      expect(writes.at(-1)?.record.data).toEqual(returned);
    });

    it.each(['state', 'nonce', 'code_verifier'] as const)(
      'refuses a callback whose %s does not match the transaction cookie with 400, before afterCallback and with nothing stored',
      async (check) => {
        const callback = await callbackWith((checks) => ({
          ...checks,
          [check]: check === 'state' ? stateWith('/') : 'something-else-'.padEnd(43, 'x'),
        }));
        expect(callback.status).toBe(400);
        expect(recorded.events).toEqual([]);
        expect(sessionSetCookies(callback)).toEqual([]);
      },
    );

    it("passes afterCallback the state /login made, and redirects to that state's returnTo", async () => {
      const { callback } = await signIn(new TestBrowser(), stack.appOrigin, undefined, '/login?returnTo=%2Fsessions');
      expect(lastCall().stateBefore).toEqual({ returnTo: '/sessions', csrf: expect.any(String) as unknown });
      expect(callback.headers.location).toBe('/sessions');
    });

    it('reads returnTo from that state object after afterCallback returns: a returnTo it rewrote is where the browser goes', async () => {
      const state = stateWith('/.//evil.example');
      const callback = await callbackWith((checks) => ({ ...checks, state }), state);
      expect(lastCall().stateBefore?.returnTo).toBe('/.//evil.example');
      expect(lastCall().stateAfter?.returnTo).toBe('/');
      expect(callback.status).toBe(302);
      expect(callback.headers.location).toBe('/');
    });

    it("redeems the code with the redirect URI the app passes, not one built from the request's Host", async () => {
      const browser = new TestBrowser();
      const { callbackUrl } = await reachCallback(browser, stack.appOrigin);
      const transaction = browser.cookies(stack.appOrigin).auth_verification ?? '';
      const callback = await rawGet(stack.appOrigin, `${callbackUrl.pathname}${callbackUrl.search}`, {
        host: `127.0.0.1:${new URL(stack.appOrigin).port}`,
        cookie: `auth_verification=${transaction}`,
      });
      expect(callback.status).toBe(302);
      expect(provider.seen.redeemedRedirectUris.at(-1)).toBe(`${stack.appOrigin}/callback`);
    });
  });
});

describe("express-openid-connect and the provider's session_expiry", () => {
  const CEILING = 300;
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ env: ENV, sessionExpirySeconds: CEILING });
  });
  afterAll(() => stack.close());

  it("keeps the ID token's session_expiry as sessionExpiresAt, and caps the stored expiry and the cookie with it", async () => {
    const browser = new TestBrowser();
    const { callback } = await signIn(browser, stack.appOrigin);
    const { session } = lastCall();
    const claim = decodeJwt(session.id_token ?? '').session_expiry;
    expect(claim).toBeGreaterThan(now() + CEILING - 5);
    expect(session.sessionExpiresAt).toBe(claim);
    const stored = await storedSession(stack.store, browser.cookies(stack.appOrigin).session ?? '');
    expect(stored?.data.sessionExpiresAt).toBe(claim);
    expect(stored?.header.exp).toBe(claim);
    expect(new Date(String(sessionSetCookies(callback)[0]?.attributes.expires)).getTime()).toBe(Number(claim) * 1000);
  });

  it('ends the session at the provider session_expiry, less 30 s for clock skew', async () => {
    const { browser, cookie } = await signedInBrowser(stack.appOrigin);
    const ceiling = Number(decodeJwt(lastCall().session.id_token ?? '').session_expiry);
    // Only Date is faked, and it moves on with real time: sockets and timers are real.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    try {
      vi.setSystemTime((ceiling - 35) * 1000);
      expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
      vi.setSystemTime((ceiling - 29) * 1000);
      const page = await browser.get(`${stack.appOrigin}/profile`);
      expect(page.status).toBe(302);
      expect(page.headers.location).toMatch(/\/authorize\?/);
      expect(await storedSession(stack.store, cookie)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('express-openid-connect and a session_expiry already past at sign-in', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // Within the library's 30 s leeway of the ID token's iat: it treats the session as born expired.
    stack = await startTestStack({ env: ENV, sessionExpirySeconds: 10 });
  });
  afterAll(() => stack.close());

  it('refuses the sign-in with 400 before afterCallback, with no session', async () => {
    const before = recorded.calls.length;
    const browser = new TestBrowser();
    const { callback } = await signIn(browser, stack.appOrigin);
    expect(callback.status).toBe(400);
    expect(recorded.calls.length).toBe(before);
    expect(sessionSetCookies(callback)).toEqual([]);
    expect(browser.cookies(stack.appOrigin).session).toBeUndefined();
  });
});
