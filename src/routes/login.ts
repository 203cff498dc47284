import type { RequestHandler } from 'express';
import { safeReturnTo } from '../sign-in/safe-return-to.js';

/**
 * Starts the authorization code flow; `?returnTo=` is honoured only as a path that stays on
 * BASE_URL's origin (sign-in/safe-return-to.ts), for the redirect below as for the one after sign-in.
 * A visitor who is already signed in goes straight there.
 */
export function login({ baseURL }: { baseURL: string }): RequestHandler {
  return async (req, res) => {
    const returnTo = safeReturnTo(req.query.returnTo, baseURL);
    if (res.locals.user) {
      res.redirect(returnTo);
      return;
    }
    await res.oidc.login({ returnTo });
  };
}
