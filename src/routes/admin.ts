import type { RequestHandler } from 'express';

/** GET /admin: an example of a page behind a role check (see the route map); it shows what the check saw. */
export function adminPage(): RequestHandler {
  return (_req, res) => {
    res.render('pages/admin', { roles: res.locals.user?.roles ?? [], permissions: res.locals.user?.permissions ?? [] });
  };
}
