import type { RequestHandler } from 'express';

export function profile(): RequestHandler {
  return (_req, res) => {
    const { user } = res.locals;
    res.render('pages/profile', { claimsJson: JSON.stringify(user?.claims ?? {}, null, 2) });
  };
}
