import type { AppSessionData, SessionStoreBackend, StoredSession } from './session-data.js';

/** What a session looked like when a request loaded it. */
interface Loaded {
  sid: string;
  iat: number;
  uat: number;
  json: string;
}

const MAX_WRITE_WINDOW_SECONDS = 60;

/**
 * How long an unchanged session may go without being rewritten: a minute, or a tenth of the
 * idle timeout when that is shorter, so the idle timeout loses at most a tenth of its length.
 */
export function writeWindowSeconds(idleTimeoutSeconds: number): number {
  return Math.max(1, Math.min(MAX_WRITE_WINDOW_SECONDS, Math.floor(idleTimeoutSeconds / 10)));
}

/**
 * express-openid-connect writes the session to the store at the end of every response that has
 * one, only to move its "last used" time (`header.uat`) and expiry forward: a store write per page
 * view (a network round trip with Redis). This wrapper skips that write when the request did not
 * change the session and the stored `uat` is younger than `windowSeconds`.
 *
 * Idle expiry still holds: the library ends a session when the *stored* `uat` is older than the
 * idle timeout, and the stored `uat` lags real activity by less than the window, so an idle
 * session ends on time or up to one window early, never late. Changed data, a new session id and
 * a new session are always written. Works over any store with this interface (memory, Redis).
 */
export function throttleSessionWrites(store: SessionStoreBackend, windowSeconds: number): SessionStoreBackend {
  // Keyed by the session object the library received from `get` and hands back to `set`; the
  // entry goes away with that object (after the request) or at `set`, whichever comes first.
  const loaded = new WeakMap<AppSessionData, Loaded>();

  function unchangedAndRecent(sid: string, session: StoredSession): boolean {
    const seen = loaded.get(session.data);
    if (!seen) return false;
    loaded.delete(session.data);
    return (
      seen.sid === sid &&
      seen.iat === session.header.iat &&
      session.header.uat - seen.uat < windowSeconds &&
      JSON.stringify(session.data) === seen.json
    );
  }

  return {
    get(sid, callback) {
      store.get(sid, (error, stored) => {
        if (!error && stored) {
          loaded.set(stored.data, { sid, iat: stored.header.iat, uat: stored.header.uat, json: JSON.stringify(stored.data) });
        }
        callback(error, stored);
      });
    },
    set(sid, session, callback) {
      if (unchangedAndRecent(sid, session)) {
        callback?.(null);
        return;
      }
      store.set(sid, session, callback);
    },
    destroy(sid, callback) {
      store.destroy(sid, callback);
    },
    close() {
      return store.close();
    },
  };
}
