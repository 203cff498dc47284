import { promisify } from 'node:util';
import type Koa from 'koa';
import type { SessionStore } from '../../src/sessions/session-registry.js';
import { REFRESH_MARGIN_SECONDS } from '../../src/sign-in/access-tokens.js';
import { storedSession } from './stored-session.js';

/**
 * Provider middleware (test-stack's providerMiddleware): counts the refreshes and revocations the
 * provider granted, makes its token endpoint fail or slow down on demand, and with
 * `lifetime.refreshedSeconds` says that a refreshed access token lives only that long.
 */
export function tokenEndpoint() {
  const seen = { refreshes: 0, revocations: 0 };
  const lifetime: { refreshedSeconds?: number } = {};
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
    if (ctx.path === '/oauth/token' && params?.grant_type === 'refresh_token' && ctx.status === 200) {
      seen.refreshes += 1;
      if (lifetime.refreshedSeconds !== undefined)
        (ctx.body as { expires_in: number }).expires_in = lifetime.refreshedSeconds;
    }
    if (ctx.path === '/oauth/revoke' && ctx.status === 200) seen.revocations += 1;
  };
  return { seen, fault, lifetime, middleware };
}

/** A refreshed token's lifetime (tokenEndpoint's `lifetime.refreshedSeconds`) that leaves it fresh this long. */
export const SHORT_REFRESHED_SECONDS = REFRESH_MARGIN_SECONDS + 3;

/**
 * Waits until a token refreshed at `refreshedAt` (Date.now()) with SHORT_REFRESHED_SECONDS is due
 * for its next refresh. Time has to pass for real: the app keeps a refreshed token at hand while it
 * is fresh (sign-in/recent-tokens.ts), so changing its record in the store would not be seen.
 */
export async function untilRefreshedTokenIsDue(refreshedAt: number): Promise<void> {
  const dueAt = refreshedAt + (SHORT_REFRESHED_SECONDS - REFRESH_MARGIN_SECONDS) * 1000 + 100;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt - Date.now())));
}

/**
 * Makes the session's access token from the sign-in look expired, as time passing would, in the
 * session record. Not for a token refreshed since: the app keeps that one at hand while it is
 * fresh, whatever its record says (use SHORT_REFRESHED_SECONDS and untilRefreshedTokenIsDue).
 */
export async function expireAccessToken(store: SessionStore, cookie: string): Promise<void> {
  if (await store.readTokens(cookie)) throw new Error('the token was refreshed: wait with untilRefreshedTokenIsDue');
  const past = Math.floor(Date.now() / 1000) - 1;
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
