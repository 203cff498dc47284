import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { SessionLimitReached, SessionStoreUnavailable, userError } from '../errors.js';
import { ranOutOfTime } from '../time-limit.js';
import type { CurrentSession, SessionTokens, SessionTokenStore } from '../sessions/index.js';
import { recentTokens, type RecentToken } from './recent-tokens.js';
import { RefreshRefused, type TokenClient } from './token-client.js';

/**
 * An access token this close to its expiry is refreshed first: it must still be valid when the API
 * checks it, a moment later and by the API's clock. Short, so that short-lived tokens (the
 * embedded provider's, DEV_PROVIDER_ACCESS_TOKEN_SECONDS at least twice this) are used for most of their life.
 */
export const REFRESH_MARGIN_SECONDS = 10;
/** How often a request waiting for another one's refresh looks for its result. */
const POLL_MS = 50;
/** Sessions whose refreshed token this process keeps at hand (recent-tokens.ts): a few MiB at most. */
const RECENT_SESSIONS = 2000;

interface Options {
  /** Whether an API (AUDIENCE) is configured: without one, sessions hold no token to give. */
  enabled: boolean;
  store: SessionTokenStore;
  session: CurrentSession;
  client: TokenClient;
  /** PROVIDER_TIMEOUT_MS: a refresh at the provider takes at most that (in whole seconds: openid-client's unit). */
  providerTimeoutMs: number;
  /** REDIS_TIMEOUT_MS: each read or write of the token record takes at most that. */
  storeTimeoutMs: number;
  logger: Logger;
  now?: () => number;
}

/** Gives a route a valid access token for the API (AUDIENCE) of the signed-in user. */
export interface AccessTokens {
  /**
   * A token valid for at least REFRESH_MARGIN_SECONDS more, refreshed first when needed. Rejects with an
   * error page's error: 401 "Please sign in again" when there is no session or the provider refused
   * the refresh token (the session then ends), 502/504 when the provider failed or was too slow (the
   * session is kept), 503 when the session store could not answer.
   */
  get(req: Request, res: Response): Promise<string>;
}

const signInAgain = (message: string, cause?: unknown) =>
  userError(401, 'Please sign in again', message, { retrySignIn: true, cause });

/**
 * Access tokens that stay fresh. Many requests of one session needing a refresh at once, on one
 * instance or several sharing Redis, make exactly one refresh at the provider: in this process they
 * share one promise; across instances they take the session's refresh lock in the store, and those
 * that do not get it wait for the holder's result in the store. With refresh-token rotation a
 * second refresh with the same token would make the provider revoke them all (reuse detection).
 */
export function createAccessTokens({
  enabled,
  store,
  session,
  client,
  providerTimeoutMs,
  storeTimeoutMs,
  logger,
  now = Date.now,
}: Options): AccessTokens {
  // What a holder does under the lock: read the token record, refresh, write it. The lock lives
  // twice that: if it lapsed under a live holder, another request would refresh with the token the
  // holder is redeeming, and the provider would revoke them all. A holder that died frees it after this.
  const holderWorkMs = 2 * storeTimeoutMs + Math.ceil(providerTimeoutMs / 1000) * 1000;
  const lockTtlMs = 2 * holderWorkMs + 1000;
  const refreshing = new Map<string, Promise<SessionTokens>>();
  const recent = recentTokens(RECENT_SESSIONS);
  // Not a type guard: a token that is not fresh is still a token (with a refresh token, maybe).
  const fresh = (tokens: RecentToken | undefined): boolean =>
    tokens !== undefined && tokens.expiresAt - REFRESH_MARGIN_SECONDS > now() / 1000;

  async function refreshUnderLock(
    id: string,
    known: SessionTokens | undefined,
    user: string | undefined,
  ): Promise<SessionTokens> {
    const owner = randomBytes(12).toString('base64url');
    const giveUpAt = now() + lockTtlMs + holderWorkMs;
    for (;;) {
      if (await store.lockTokens(id, owner, lockTtlMs)) {
        try {
          // Another request may have refreshed between our read and our lock.
          const latest = (await store.readTokens(id)) ?? known;
          if (latest && fresh(latest)) return latest;
          if (latest?.refreshToken === undefined) throw new RefreshRefused('the session has no refresh token');
          const tokens = await client.refresh(latest.refreshToken);
          await store.writeTokens(id, tokens);
          logger.info({ event: 'auth.refresh.success', user }, 'access token refreshed');
          return tokens;
        } finally {
          await store.unlockTokens(id, owner).catch((error: unknown) => {
            logger.warn({ err: error }, 'could not release a refresh lock; it frees itself shortly');
          });
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const latest = await store.readTokens(id);
      if (latest && fresh(latest)) return latest;
      if (now() > giveUpAt)
        throw userError(504, 'Sign-in service too slow', 'Renewing your access took too long. Please try again.');
    }
  }

  return {
    async get(req, res) {
      // A route asking for a token the configuration cannot give is the app's fault, not the user's.
      if (!enabled) throw new Error('req.accessToken() needs an API: set AUDIENCE (see docs/calling-apis.md)');
      const loaded = req.appSession;
      if (!loaded) throw signInAgain('You need to be signed in for this.');
      const { data, id } = loaded;
      const signedIn: SessionTokens | undefined =
        data.access_token !== undefined && data.expires_at !== undefined
          ? { accessToken: data.access_token, expiresAt: data.expires_at, refreshToken: data.refresh_token }
          : undefined;
      if (signedIn && fresh(signedIn)) return signedIn.accessToken;
      // Once refreshed, a session's tokens live in their own record (see SessionTokens), which
      // this process keeps at hand while its access token is fresh.
      const kept = recent.get(id);
      if (kept && fresh(kept)) return kept.accessToken;
      if (kept) recent.delete(id);
      const stored = await store.readTokens(id);
      if (stored && fresh(stored)) {
        recent.set(id, stored);
        return stored.accessToken;
      }

      let pending = refreshing.get(id);
      if (!pending) {
        pending = refreshUnderLock(id, stored ?? signedIn, data.userLogId).finally(() => refreshing.delete(id));
        refreshing.set(id, pending);
      }
      try {
        const tokens = await pending;
        recent.set(id, tokens);
        return tokens.accessToken;
      } catch (error) {
        recent.delete(id);
        if (error instanceof RefreshRefused) {
          if (req.appSession) {
            logger.info(
              { reqId: req.id, event: 'auth.refresh.refused', user: data.userLogId },
              'the provider refused the refresh token: session ended',
            );
            await session.end(req, res);
          }
          throw signInAgain('Your sign-in has expired or was revoked. Please sign in again to continue.', error);
        }
        throw providerFailure(error);
      }
    },
  };
}

/** A refresh that failed on the way (provider down, slow, answering garbage): the session is kept. */
function providerFailure(error: unknown): Error {
  if (error instanceof Error && 'status' in error && 'publicError' in error) return error;
  if (error instanceof SessionStoreUnavailable || error instanceof SessionLimitReached) return error;
  return ranOutOfTime(error)
    ? userError(
        504,
        'Sign-in service too slow',
        'The sign-in service took too long to renew your access. You are still signed in; please try again in a moment.',
        { cause: error },
      )
    : userError(
        502,
        'Sign-in service error',
        'We could not renew your access with the sign-in service. You are still signed in; please try again in a moment.',
        { cause: error },
      );
}
