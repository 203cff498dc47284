import { promisify } from 'node:util';
import type Koa from 'koa';
import type { SessionStore } from '../../src/sessions/session-registry.js';
import { storedSession } from './stored-session.js';

/**
 * Provider middleware (test-stack's providerMiddleware): counts the refreshes and revocations the
 * provider granted, and makes its token endpoint fail or slow down on demand.
 */
export function tokenEndpoint() {
  const seen = { refreshes: 0, revocations: 0 };
  const fault: { mode: 'none' | 'down' | 'slow' | 'unhurried' } = { mode: 'none' };
  const middleware = async (ctx: Koa.Context, next: Koa.Next) => {
    if (ctx.path === '/oauth/token' && fault.mode !== 'none') {
      // 'slow' outlasts the tests' PROVIDER_TIMEOUT_MS, then fails without touching the token (a
      // provider that processed it after the app gave up would have rotated it: see docs on the
      // reuse interval); 'unhurried' is only slow enough for concurrent requests to pile up.
      const delayMs = { down: 0, slow: 1500, unhurried: 300 }[fault.mode];
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (fault.mode !== 'unhurried') {
        ctx.status = 503;
        ctx.body = { error: 'temporarily_unavailable' };
        return;
      }
    }
    await next();
    const params = (ctx as unknown as { oidc?: { params?: Record<string, unknown> } }).oidc?.params;
    if (ctx.path === '/oauth/token' && params?.grant_type === 'refresh_token' && ctx.status === 200)
      seen.refreshes += 1;
    if (ctx.path === '/oauth/revoke' && ctx.status === 200) seen.revocations += 1;
  };
  return { seen, fault, middleware };
}

/**
 * Makes the session's access token look expired, as time passing would: in the token record once
 * the session has one, otherwise in the session record written at sign-in.
 */
export async function expireAccessToken(store: SessionStore, cookie: string): Promise<void> {
  const past = Math.floor(Date.now() / 1000) - 1;
  const refreshed = await store.readTokens(cookie);
  if (refreshed) {
    await store.writeTokens(cookie, { ...refreshed, expiresAt: past });
    return;
  }
  const record = await storedSession(store, cookie);
  if (!record) throw new Error('no session to age');
  await promisify(store.set.bind(store))(cookie, { ...record, data: { ...record.data, expires_at: past } });
}

/** The refresh token the session would use next. */
export async function currentRefreshToken(store: SessionStore, cookie: string): Promise<string> {
  const token =
    (await store.readTokens(cookie))?.refreshToken ?? (await storedSession(store, cookie))?.data.refresh_token;
  if (!token) throw new Error('the session has no refresh token');
  return token;
}
