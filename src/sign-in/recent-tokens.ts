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
 * reading that record on every page that needs the token would cost a store read each time (on
 * Redis a round trip; docs/performance.md has the figures). The caller gives one
 * only to a request whose session it has just loaded from the store, so an ended session gets
 * none, and only while it is fresh. At most `max` sessions, the least recently used dropped first;
 * an entry also goes when its session asks again after it is due (the caller deletes it), and an
 * expired one when it is the least recently used as another is stored, so ended sessions' tokens
 * do not wait for `max` newer sessions. Refresh tokens are not kept here: they stay in the store
 * alone, sealed.
 */
export function recentTokens(max: number, now: () => number = Date.now): RecentTokens {
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
      // A copy of the id: it is usually a slice of the whole Cookie header (up to 16 KiB, padded
      // at will), which V8 would keep alive with it (as session-id.ts explains).
      entries.set(Buffer.from(sessionId, 'latin1').toString('latin1'), { accessToken, expiresAt });
      for (const [oldestId, oldest] of entries) {
        if (entries.size <= max && oldest.expiresAt * 1000 > now()) break;
        entries.delete(oldestId);
      }
    },
    delete(sessionId) {
      entries.delete(sessionId);
    },
  };
}
