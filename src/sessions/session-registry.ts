import type { ExpressSessionStore, SessionTokens } from './session-data.js';
import type { SessionIdSigner } from './session-id.js';

/** One of a user's sessions as /sessions shows it: never the store id (see AppSessionData.handle). */
export interface ListedSession {
  handle: string;
  /** Epoch ms, like every time here. */
  signedInAt: number;
  /** When the session was last written, i.e. last used (as precise as the store's write rate). */
  lastSeenAt: number;
  expiresAt: number;
  userAgent?: string;
}

/** A verified back-channel logout: end the sessions of provider session `sid`, or else of user `sub`. */
export interface ProviderLogout {
  sub?: string;
  sid?: string;
  /** The logout token's id: a token seen before is not acted on twice. */
  jti: string;
  /**
   * When the provider issued the logout token (its `iat`, epoch ms): with only `sub`, sessions whose
   * ID token the provider issued up to then end. Both times come from the provider's clock, so the
   * app instances' clocks do not matter.
   */
  issuedAt: number;
  /** Until when the token itself would be accepted (epoch ms): its id is remembered at least that long. */
  acceptedUntil: number;
}

/**
 * What the app asks of its session store beyond express-openid-connect's get/set/destroy.
 * Every method rejects with a 503 error when the storage cannot be reached.
 */
export interface SessionRegistry {
  /** The user's live sessions, most recently used first. */
  sessionsOf(userId: string): Promise<ListedSession[]>;
  /** Ends those of the user's sessions with these handles; returns how many ended. */
  endSessions(userId: string, handles: string[]): Promise<number>;
  /** Ends every session a back-channel logout names, on every instance; returns how many ended. */
  endProviderSessions(logout: ProviderLogout): Promise<number>;
  /** Resolves when the storage answers (for readiness checks); rejects fast when it does not. */
  ping(): Promise<void>;
}

/**
 * A session's refreshed tokens for the API (see SessionTokens), and the lock that makes one
 * request at a time, on any instance, refresh them. Every method takes the session id (the
 * cookie's value) and rejects with a 503 error when the storage cannot be reached.
 */
export interface SessionTokenStore {
  readTokens(id: string): Promise<SessionTokens | undefined>;
  /** Stores refreshed tokens (sealed); tokens of a session ended meanwhile are dropped and handed to the listener. */
  writeTokens(id: string, tokens: SessionTokens): Promise<void>;
  /** True when `owner` now holds the session's refresh lock; it frees itself after `ttlMs`. */
  lockTokens(id: string, owner: string, ttlMs: number): Promise<boolean>;
  unlockTokens(id: string, owner: string): Promise<void>;
  /** Called with the refresh tokens of sessions as they end (any way they end), to be revoked. */
  whenSessionsEnd(listener: (refreshTokens: string[]) => void): void;
}

/**
 * One raw command (`'INCR', 'key'`) to the Redis that holds the sessions, over the same connection
 * and bounded in time like every store call: rejects with Redis's own error (a reply error keeps
 * its message, `NOSCRIPT ...`), or when no answer came within REDIS_TIMEOUT_MS.
 */
export type SendRedisCommand = (...args: string[]) => Promise<unknown>;

/**
 * The one session store the app is given: what the library needs, plus the registry and the
 * token store, plus the ids it stores sessions under (made and checked with the same secrets
 * that seal them). With Redis it lends its connection to other state every instance must share
 * (the rate limits' counts), so that the app keeps one connection and one outage policy;
 * `sendRedisCommand` is undefined when sessions live in memory.
 */
export type SessionStore = ExpressSessionStore &
  SessionRegistry &
  SessionTokenStore & { readonly ids: SessionIdSigner; readonly sendRedisCommand?: SendRedisCommand };
