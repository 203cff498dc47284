import type { Userinfo } from './userinfo.js';

/** What one signed-in session holds on the server (the browser's cookie holds only its signed id). */
export interface AppSessionData {
  id_token?: string;
  access_token?: string;
  refresh_token?: string;
  token_type?: string;
  expires_at?: number;
  /** The provider's ceiling on this session (the ID token's `session_expiry`, epoch seconds), if it sent one. */
  sessionExpiresAt?: number;
  /** The provider's session id (the ID token's `sid`): back-channel logout may name it. */
  sid?: string;
  /** What /userinfo answered at sign-in (checked); pages derive the user's profile from it. */
  userinfo?: Userinfo;
  /** Synchronizer token for this session's state-changing forms (logout). */
  csrfToken?: string;
  /**
   * A random public name for this session, safe to put in a page or a form ("end this session").
   * The store id is never shown: it is what the signed cookie carries.
   */
  handle?: string;
  /** When sign-in completed (epoch ms). */
  signedInAt?: number;
  /** When the provider issued this session's ID token (its `iat`, epoch ms, the provider's clock). */
  idTokenIssuedAt?: number;
  /** What log lines say for this session's user (session-keys.ts userLogId): never the user id itself. */
  userLogId?: string;
  /** The browser's User-Agent at sign-in (truncated), to tell sessions apart on /sessions. */
  userAgent?: string;
  /** The user's roles, from the ID token's roles claim (ROLES_CLAIM) at sign-in. */
  roles?: string[];
  /** The user's permissions for the API (AUDIENCE), from the access token at sign-in (Auth0 RBAC). */
  permissions?: string[];
  /** The user's settings as last read from or saved to the provider: what pages show without asking it. */
  settings?: UserSettings;
}

/** What /account keeps in the user's `user_metadata` at the provider. */
export interface UserSettings {
  preferredName?: string;
  /** An IANA time zone, such as Europe/Paris: times on /sessions are shown in it. */
  timeZone?: string;
}

/**
 * A session's tokens for the API (AUDIENCE) once they have been refreshed. They live in a record of
 * their own beside the session's: the session record is written back by every request that
 * records the session's use, with what that request read, and would put back a refresh token the
 * provider has already replaced (with rotation, using it again revokes them all and signs the user
 * out). This record is written only under the session's refresh lock.
 */
export interface SessionTokens {
  accessToken: string;
  /** Epoch seconds. */
  expiresAt: number;
  refreshToken?: string;
  /** The user's permissions for the API, as the latest access token says. */
  permissions?: string[];
}

/** The record express-openid-connect hands to an express-session-compatible store. */
export interface StoredSession {
  header: { iat: number; uat: number; exp: number };
  data: AppSessionData;
  cookie: { expires: number; maxAge: number };
}

export type Callback<T = void> = (err: unknown, value?: T) => void;

/** The storage beneath the app's session store: sealed records under storage keys. */
export type RecordStore = ExpressSessionStore<SealedRecord>;

/**
 * What storage holds for one session, under its storage key (sessions/session-id.ts): the session
 * sealed (sessions/session-seal.ts), and in clear only its expiry, which connect-redis reads for the
 * key's TTL (`cookie.expires`, epoch ms).
 */
export interface SealedRecord {
  sealed: string;
  cookie: { expires: number };
}

/**
 * An express-session-compatible store (callback style), as express-openid-connect's
 * `session.store` expects, plus `close` for shutdown and `ping` for readiness. `Session` is what
 * it keeps: the app's store takes StoredSession under session ids; the storage beneath it
 * (memory, connect-redis) takes SealedRecord under storage keys.
 */
export interface ExpressSessionStore<Session = StoredSession> {
  get(sid: string, callback: Callback<Session | null>): void;
  set(sid: string, session: Session, callback?: Callback): void;
  destroy(sid: string, callback?: Callback): void;
  /** Releases connections and timers; the process can exit once every store is closed. */
  close(): Promise<void>;
  /**
   * Resolves once the store answers a trivial request (a networked store: a round trip, such
   * as Redis PING); rejects when it cannot. /readyz calls it on every probe and bounds it in
   * time itself. A store without `ping` is taken to be always ready.
   */
  ping?(): Promise<void>;
}
