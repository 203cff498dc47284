import type { RequestHandler } from 'express';
import type { SessionAccess } from '../auth/session-data.js';

/** Exposes the signed-in user and their CSRF token to every view. */
export function viewLocals(session: SessionAccess): RequestHandler {
  return (req, res, next) => {
    const data = session.read(req);
    if (data?.profile && req.oidc.isAuthenticated()) {
      res.locals.user = data.profile;
      res.locals.csrfToken = data.csrfToken;
    }
    next();
  };
}
