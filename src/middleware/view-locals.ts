import type { RequestHandler } from 'express';
import type { CurrentSession } from '../sessions/index.js';
import { userProfile } from '../sign-in/user-profile.js';

/** Exposes the signed-in user, their settings and their CSRF token to every view. */
export function viewLocals(session: CurrentSession): RequestHandler {
  return (req, res, next) => {
    const data = session.read(req);
    // Signed in means a completed sign-in: a verified ID token and the userinfo read after it.
    if (data?.userinfo && data.id_token) {
      const user = userProfile(data.userinfo, data);
      res.locals.user = user;
      res.locals.displayName = data.settings?.preferredName ?? user.name;
      res.locals.timeZone = data.settings?.timeZone ?? 'UTC';
      res.locals.csrfToken = data.csrfToken;
      res.locals.userLogId = data.userLogId;
    }
    next();
  };
}
