import type { RequestHandler } from 'express';
import { safeReturnTo } from '../auth/safe-return-to.js';

/**
 * Starts the authorization code flow; `?returnTo=` is honoured only for paths on this site.
 * A visitor who is already signed in goes straight there: every sign-in then starts without a
 * session, so the session id is always a new one afterwards.
 */
export function login(): RequestHandler {
  return async (req, res) => {
    const returnTo = safeReturnTo(req.query.returnTo);
    if (res.locals.user) {
      res.redirect(returnTo);
      return;
    }
    await res.oidc.login({ returnTo });
  };
}
