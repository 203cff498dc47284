import type { Request, RequestHandler } from 'express';
import type { CurrentSession } from '../sessions/index.js';

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
 * GET /callback, first step. Without a pending sign-in (no transaction cookie) a signed-in visitor
 * is replaying an old callback URL (the back button): they go home, and their session stays.
 * Everyone else goes on to finishSignIn, signed in or not: a live session is ended only once the
 * new sign-in has completed (sign-in/complete-sign-in.ts), so a stale, empty or forged transaction
 * cookie can fail the callback but never sign anyone out.
 */
export function callback({ session, transactionCookie }: Options): RequestHandler {
  return (req, res, next) => {
    if (session.read(req) && !hasCookie(req, transactionCookie)) {
      res.redirect('/');
      return;
    }
    next();
  };
}

/**
 * GET /callback, second step: express-openid-connect finishes the flow (state, nonce, PKCE, the
 * token request, then sign-in/complete-sign-in.ts) and stores the new session under a new id; it
 * never sees the visitor's existing session (app.ts hides its cookie), so it cannot continue it.
 */
export function finishSignIn({ redirectUri }: Options): RequestHandler {
  return async (_req, res) => {
    await res.oidc.callback({ redirectUri });
  };
}
