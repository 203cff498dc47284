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
 * completeSignIn). Against session fixation: the library gives a new session id to a new user but
 * keeps the old one when someone signs in again on top of a live session, so a signed-in visitor
 * with a sign-in pending starts from an empty session; the sign-in is then stored under a new id
 * and the old entry deleted. Without a pending sign-in (no transaction cookie) a signed-in visitor
 * is replaying an old callback URL (the back button): the library just sends them home.
 */
export function callback({ session, redirectUri, transactionCookie }: Options): RequestHandler {
  return async (req, res) => {
    if (req.oidc.isAuthenticated() && hasCookie(req, transactionCookie)) session.empty(req);
    await res.oidc.callback({ redirectUri });
  };
}
