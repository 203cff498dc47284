import type { RequestHandler } from 'express';
import createError from 'http-errors';
import { safeReturnTo } from '../sign-in/safe-return-to.js';

/**
 * Guards a page: a visitor who is not signed in is sent straight to the provider's login page
 * (through express-openid-connect, `openid`), and comes back to the page they asked for; only
 * GET pages are come back to (a form post cannot be replayed), and only as a path on BASE_URL's
 * origin: the request target is the client's to choose (`GET http://evil.example/profile` makes
 * req.originalUrl absolute). A request that does not accept HTML (a script) gets a 401 instead of
 * a redirect it cannot follow.
 */
export function requireSignIn(openid: RequestHandler, baseURL: string): RequestHandler {
  return (req, res, next) => {
    if (res.locals.user) {
      next();
      return;
    }
    if (!req.accepts('html')) {
      next(createError(401));
      return;
    }
    void openid(req, res, (error?: unknown) => {
      if (error) {
        next(error);
        return;
      }
      res.oidc.login({ returnTo: req.method === 'GET' ? safeReturnTo(req.originalUrl, baseURL) : '/' }).catch(next);
    });
  };
}
