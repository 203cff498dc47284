import cookie from 'cookie';
import type { RequestHandler } from 'express';
import type { SessionIdSigner } from '../auth/session-id.js';

/**
 * Mounted before express-openid-connect: a session cookie whose signature does not check out is
 * removed from the request, so the library treats the visitor as having no session at all and
 * never looks a forged id up in the store, and the browser is told to forget it. The library
 * reads the first cookie of a name (as `cookie.parse` does), so that is the one judged; a forged
 * one takes every copy with it. `secure` must match the session cookie's own attribute, or a
 * `__Host-` cookie could not be cleared.
 */
export function dropForgedSessionCookie(cookieName: string, signer: SessionIdSigner, { secure }: { secure: boolean }): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.cookie;
    if (header?.includes(`${cookieName}=`)) {
      const value = cookie.parse(header)[cookieName];
      if (value !== undefined && !signer.verify(value)) {
        req.headers.cookie = header
          .split(';')
          .filter((pair) => pair.split('=')[0]?.trim() !== cookieName)
          .join(';');
        // Any new session cookie the library sets later in this response comes after this, and wins.
        res.clearCookie(cookieName, { path: '/', httpOnly: true, sameSite: 'lax', secure });
      }
    }
    next();
  };
}
