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
 * What storage holds for one session, under its storage key (auth/session-id.ts): the session
 * sealed (auth/session-seal.ts), and in clear only its expiry, which connect-redis reads for the
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
