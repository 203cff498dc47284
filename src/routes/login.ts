import type { RequestHandler } from 'express';
import { safeReturnTo } from '../auth/safe-return-to.js';

/** Starts the authorization code flow; `?returnTo=` is honoured only for paths on this site. */
export function login(): RequestHandler {
  return async (req, res) => {
    await res.oidc.login({ returnTo: safeReturnTo(req.query.returnTo) });
  };
}
