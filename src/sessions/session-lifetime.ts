import type { StoredSession } from './session-data.js';

/** How long a session may live, in seconds: since its last use (rolling), and in all. */
export interface SessionLifetime {
  idleSeconds: number;
  absoluteSeconds: number;
}

const MAX_TOUCH_INTERVAL_SECONDS = 60;
/** express-openid-connect ends a session this long before the provider's `session_expiry` (clock skew). */
const PROVIDER_EXPIRY_LEEWAY_SECONDS = 30;

/** Whole seconds since the epoch: the unit of every session header field. */
export function epochSeconds(now = Date.now()): number {
  return Math.floor(now / 1000);
}

/**
 * The checks express-openid-connect makes when it loads a session: its stored expiry, the idle
 * timeout counted from the stored last use (`uat`), the absolute timeout counted from sign-in
 * (`iat`), and the provider's own ceiling (the ID token's `session_expiry`, when it sent one).
 * Today's settings apply, so shortening a timeout shortens sessions already running.
 */
export function sessionExpired({ header, data }: StoredSession, lifetime: SessionLifetime, now: number): boolean {
  return (
    header.exp <= now ||
    header.uat + lifetime.idleSeconds <= now ||
    header.iat + lifetime.absoluteSeconds <= now ||
    (data.sessionExpiresAt !== undefined && now >= data.sessionExpiresAt - PROVIDER_EXPIRY_LEEWAY_SECONDS)
  );
}

/** When a session last used at `uat` ends unless used again: whichever limit comes first. */
export function expiryOf({ header, data }: StoredSession, uat: number, lifetime: SessionLifetime): number {
  return Math.min(uat + lifetime.idleSeconds, header.iat + lifetime.absoluteSeconds, data.sessionExpiresAt ?? Infinity);
}

/**
 * How long a session may be used without its last-use time being written back: a minute, or a
 * tenth of the idle timeout when that is shorter. The idle timeout counts from the stored time,
 * so an idle session ends at most this much early, never late; in exchange a page view is a
 * store read, not a read and a write.
 */
export function touchIntervalSeconds(idleSeconds: number): number {
  return Math.max(1, Math.min(MAX_TOUCH_INTERVAL_SECONDS, Math.floor(idleSeconds / 10)));
}

/** Well-formed enough to judge: a store may hold anything under a key (another app, a bad write). */
export function isStoredSession(value: unknown): value is StoredSession {
  if (typeof value !== 'object' || value === null) return false;
  const { header, data } = value as { header?: unknown; data?: unknown };
  if (typeof header !== 'object' || header === null || typeof data !== 'object' || data === null) return false;
  const { iat, uat, exp } = header as Record<string, unknown>;
  return Number.isFinite(iat) && Number.isFinite(uat) && Number.isFinite(exp);
}
