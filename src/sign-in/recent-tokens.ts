import type { SessionTokens } from '../sessions/index.js';

/** An access token and when it expires (epoch seconds): never the refresh token. */
export type RecentToken = Pick<SessionTokens, 'accessToken' | 'expiresAt'>;

export interface RecentTokens {
  get(sessionId: string): RecentToken | undefined;
  set(sessionId: string, tokens: RecentToken): void;
  delete(sessionId: string): void;
}

/**
 * The access tokens this process last refreshed or read from the store, per session: once a
 * session's token has been refreshed it lives in a record of its own (see SessionTokens), and
 * reading that record on every page that needs the token costs a store read each time (on Redis
 * a round trip, about a sixth of a signed-in page's CPU; docs/performance.md). The caller gives one
 * only to a request whose session it has just loaded from the store, so an ended session gets
 * none, and only while it is fresh. At most `max` sessions, the least recently used dropped first.
 * Refresh tokens are not kept here: they stay in the store alone, sealed.
 */
export function recentTokens(max: number): RecentTokens {
  const entries = new Map<string, RecentToken>();
  return {
    get(sessionId) {
      const entry = entries.get(sessionId);
      if (entry === undefined) return undefined;
      // A Map iterates in insertion order: moved to the end, it is the last to be dropped.
      entries.delete(sessionId);
      entries.set(sessionId, entry);
      return entry;
    },
    set(sessionId, { accessToken, expiresAt }) {
      entries.delete(sessionId);
      entries.set(sessionId, { accessToken, expiresAt });
      if (entries.size > max) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
    },
    delete(sessionId) {
      entries.delete(sessionId);
    },
  };
}
