import type { RequestHandler } from 'express';
import type { CurrentSession } from '../sessions/index.js';
import { userProfile } from '../sign-in/user-profile.js';

/** Exposes the signed-in user and their CSRF token to every view. */
export function viewLocals(session: CurrentSession): RequestHandler {
  return (req, res, next) => {
    const data = session.read(req);
    // Signed in means a completed sign-in: a verified ID token and the userinfo read after it.
    if (data?.userinfo && data.id_token) {
      res.locals.user = userProfile(data.userinfo);
      res.locals.csrfToken = data.csrfToken;
      res.locals.userLogId = data.userLogId;
    }
    next();
  };
}
