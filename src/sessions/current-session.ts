import type { Request, Response } from 'express';
import type { AppSessionData, ExpressSessionStore, StoredSession } from './session-data.js';
import type { SessionCookie } from './session-cookie.js';
import { sessionRecords } from './session-records.js';

/** The session a request came with, as sessions/load-session.ts found it. */
export interface LoadedSession {
  /** The store key: the whole signed cookie value. Never shown on a page or logged. */
  id: string;
  /** Its times as stored (or as this request's touch wrote them). */
  header: StoredSession['header'];
  data: AppSessionData;
}

/** What routes may do with the current session. */
export interface CurrentSession {
  /** This request's live session, or undefined for a visitor without one. */
  read(req: Request): AppSessionData | undefined;
  /**
   * Ends this session before anything else happens: deleted from the store (so every instance
   * forgets it, and a copied cookie is worthless) and its cookie cleared. Rejects with a 503 when
   * the store cannot be reached, leaving the session as it was.
   */
  end(req: Request, res: Response): Promise<void>;
  /**
   * Ends this session because a sign-in that has just completed in this same request replaces it:
   * deleted from the store as by end(), but its cookie is left for the new session's cookie to
   * overwrite in this response. Rejects when the store cannot be reached.
   */
  endReplaced(req: Request): Promise<void>;
  /**
   * Writes changed fields into this session (never revives it if it ended meanwhile). For what may
   * be rewritten with a stale copy by a concurrent request's touch: tokens never go here (see
   * SessionTokens). Rejects when the store cannot be reached.
   */
  update(req: Request, change: Partial<AppSessionData>): Promise<void>;
}

export function currentSession({
  store,
  cookie,
}: {
  store: ExpressSessionStore;
  cookie: SessionCookie;
}): CurrentSession {
  const records = sessionRecords(store);
  const endReplaced = async (req: Request) => {
    const loaded = req.appSession;
    if (!loaded) return;
    await records.remove(loaded.id);
    req.appSession = undefined;
  };
  return {
    read: (req) => req.appSession?.data,
    async end(req, res) {
      if (!req.appSession) return;
      await endReplaced(req);
      cookie.clear(res);
    },
    endReplaced,
    async update(req, change) {
      const loaded = req.appSession;
      if (!loaded) return;
      const data = { ...loaded.data, ...change };
      const expires = loaded.header.exp * 1000;
      await records.write(loaded.id, {
        header: loaded.header,
        data,
        cookie: { expires, maxAge: expires - Date.now() },
      });
      loaded.data = data;
    },
  };
}
