import type { RequestHandler } from 'express';
import type { SessionAccess } from '../auth/session-data.js';
import { failedSessionRead } from '../auth/session-read-failures.js';
import { storeUnavailable } from '../errors.js';

/**
 * Mounted right after auth(): a request whose session could not be read (the store is down or
 * too slow) gets the 503 page instead of being treated as a signed-out visitor. Its cookie is
 * kept and its session left alone, so it works again as soon as the store answers.
 */
export function refuseUnreadableSession(session: SessionAccess): RequestHandler {
  return (req, res, next) => {
    const failed = failedSessionRead();
    if (!failed) {
      next();
      return;
    }
    session.keep(req);
    res.locals.sessionUnavailable = true;
    next(storeUnavailable(failed.error));
  };
}
