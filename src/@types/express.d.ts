// Brings in the `req.oidc` / `res.oidc` augmentation of express-openid-connect.
import type {} from 'express-openid-connect';
import type { LoadedSession } from '../sessions/index.js';
import type { UserProfile } from '../sign-in/user-profile.js';

declare global {
  namespace Express {
    interface Request {
      /** This request's id (set first, by the request-id middleware): in logs, headers and error pages. */
      id: string;
      /** The live session this request came with (sessions/load-session.ts); undefined for a visitor. */
      appSession?: LoadedSession;
      /**
       * A valid access token for the API (AUDIENCE) of the signed-in user, refreshed first when it
       * is about to expire (sign-in/access-tokens.ts). Rejects with the error page's error (401
       * "Please sign in again", 502/504 when the provider fails); nothing is done until it is called.
       */
      accessToken(): Promise<string>;
    }
    /** What every view may read; set by middleware before any route runs. */
    interface Locals {
      cspNonce: string;
      requestId: string;
      /** The signed-in user, or undefined for a visitor. */
      user?: UserProfile;
      /** What the header calls the signed-in user: their preferred name (from /account), or their name. */
      displayName?: string;
      /** The signed-in user's time zone (from /account), for the times pages show; UTC when unset. */
      timeZone?: string;
      /** This session's token for state-changing forms; only for signed-in users. */
      csrfToken?: string;
      /** What log lines say for the signed-in user (never their id: see sessions/session-keys.ts userLogId). */
      userLogId?: string;
      /** The session store could not be read: pages must not suggest the visitor is signed out. */
      sessionUnavailable?: boolean;
      /** The route logged this refusal itself (sampled, routes/backchannel-logout.ts): the request line goes to debug. */
      refusalLogged?: boolean;
    }
  }
}
