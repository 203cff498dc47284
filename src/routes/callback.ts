import type { Request, RequestHandler } from 'express';
import type { SessionAccess } from '../auth/session-data.js';

interface Options {
  session: SessionAccess;
  /** The registered redirect URI, from BASE_URL (the token request must repeat it exactly). */
  redirectUri: string;
  transactionCookie: string;
}

function hasCookie(req: Request, name: string): boolean {
  return (req.get('cookie') ?? '').split(';').some((pair) => pair.trim().startsWith(`${name}=`));
}

/**
 * GET /callback: express-openid-connect finishes the flow (state, PKCE, token request, then
 * completeSignIn). A sign-in never completes on top of a live session: the library would keep that
 * session's id when the same user signs in again (session fixation), and during that request it
 * still reads the old session's tokens, which it caches per session object. So a signed-in visitor
 * with a sign-in pending is signed out first and sent to the same URL again, where the sign-in
 * completes as for anyone signed out: a new session under a new id.
 * Without a pending sign-in (no transaction cookie) a signed-in visitor is replaying an old
 * callback URL (the back button): the library sends them home and nothing changes.
 */
export function callback({ session, redirectUri, transactionCookie }: Options): RequestHandler {
  return async (req, res) => {
    if (session.read(req) && hasCookie(req, transactionCookie)) {
      session.end(req);
      res.redirect(303, req.originalUrl);
      return;
    }
    await res.oidc.callback({ redirectUri });
  };
}
