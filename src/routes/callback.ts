import type { Request, RequestHandler } from 'express';
import type { CurrentSession } from '../auth/current-session.js';

interface Options {
  session: CurrentSession;
  /** The registered redirect URI, from BASE_URL (the token request must repeat it exactly). */
  redirectUri: string;
  transactionCookie: string;
}

function hasCookie(req: Request, name: string): boolean {
  return (req.get('cookie') ?? '').split(';').some((pair) => pair.trim().startsWith(`${name}=`));
}

/**
 * GET /callback, first step. A sign-in never completes on top of a live session: that session
 * ends first (deleted from the store), and the browser comes back to the same URL, where the
 * sign-in completes as for anyone signed out, under a new session id (no session fixation, and
 * nothing of the old session can leak into the new one).
 * Without a pending sign-in (no transaction cookie) a signed-in visitor is replaying an old
 * callback URL (the back button): they go home, and their session stays.
 */
export function callback({ session, transactionCookie }: Options): RequestHandler {
  return async (req, res, next) => {
    if (!session.read(req)) {
      next();
      return;
    }
    if (hasCookie(req, transactionCookie)) {
      await session.end(req, res);
      res.redirect(303, req.originalUrl);
      return;
    }
    res.redirect('/');
  };
}

/**
 * GET /callback, second step: express-openid-connect finishes the flow (state, nonce, PKCE, the
 * token request, then auth/complete-sign-in.ts) and stores the new session under a new id.
 */
export function finishSignIn({ redirectUri }: Options): RequestHandler {
  return async (_req, res) => {
    await res.oidc.callback({ redirectUri });
  };
}
