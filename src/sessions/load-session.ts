import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { SessionCookie } from './session-cookie.js';
import type { ExpressSessionStore, StoredSession } from './session-data.js';
import type { SessionIdSigner } from './session-id.js';
import {
  epochSeconds,
  expiryOf,
  isStoredSession,
  sessionExpired,
  touchIntervalSeconds,
  type SessionLifetime,
} from './session-lifetime.js';
import { SessionStoreUnavailable } from '../errors.js';

interface Options {
  store: ExpressSessionStore;
  cookie: SessionCookie;
  signer: SessionIdSigner;
  lifetime: SessionLifetime;
  logger: Logger;
}

/**
 * Loads the session a request's cookie names, and keeps it alive, with one store read per
 * request and a store write at most once a touch interval (a minute). express-openid-connect
 * would do the same work for every request through a second router, async hooks on the response
 * and a new Set-Cookie every time: over a third of the CPU of a signed-in page, measured. It
 * still signs people in (routes/login.ts, routes/callback.ts), but never sees an existing session.
 *
 * - No cookie: nothing to do, no store access.
 * - A cookie whose signature fails (sessions/session-id.ts): forgotten unread, so a forged id never
 *   costs a store lookup, and the browser is told to drop it.
 * - The store cannot answer: the 503 page, with the cookie and the session left as they are.
 * - Gone, malformed or expired (the library's own checks, sessions/session-lifetime.ts): deleted, and
 *   the cookie cleared; the visitor is signed out.
 * - Live: on `req.appSession`. When its stored last use is a touch interval old, it is written
 *   back with the new time and expiry (through the store's set(), which re-indexes it and never
 *   revives a session ended meanwhile) and the cookie is sent again with that expiry.
 */
export function loadSession({ store, cookie, signer, lifetime, logger }: Options): RequestHandler {
  const touchAfter = touchIntervalSeconds(lifetime.idleSeconds);

  return (req, res, next) => {
    const id = cookie.read(req);
    if (id === undefined) {
      next();
      return;
    }
    if (!signer.verify(id)) {
      cookie.clear(res);
      next();
      return;
    }
    store.get(id, (readError, stored) => {
      if (readError) {
        res.locals.sessionUnavailable = true;
        next(readError instanceof SessionStoreUnavailable ? readError : new SessionStoreUnavailable(readError));
        return;
      }
      const now = epochSeconds();
      if (!isStoredSession(stored) || sessionExpired(stored, lifetime, now)) {
        cookie.clear(res);
        if (stored === null || stored === undefined) {
          next();
          return;
        }
        store.destroy(id, (error) => {
          if (error)
            logger.warn(
              { reqId: req.id, err: error },
              'could not delete an expired session; the store drops it at its expiry',
            );
          next();
        });
        return;
      }
      req.appSession = { id, header: stored.header, data: stored.data };
      if (now - stored.header.uat < touchAfter) {
        next();
        return;
      }
      const exp = expiryOf(stored, now, lifetime);
      const touched: StoredSession = {
        header: { iat: stored.header.iat, uat: now, exp },
        data: stored.data,
        cookie: { expires: exp * 1000, maxAge: exp * 1000 - Date.now() },
      };
      store.set(id, touched, (error) => {
        if (error) {
          // The session stays valid until its stored expiry; the next request tries again.
          logger.warn({ reqId: req.id, err: error }, 'could not record session use');
        } else {
          if (req.appSession) req.appSession.header = touched.header;
          cookie.set(res, id, exp);
        }
        next();
      });
    });
  };
}
