import type { RequestHandler } from 'express';

export function home(): RequestHandler {
  return (req, res) => {
    // Set by POST /logout when the provider could not be reached to end its own session.
    const signedOutLocally = req.query.signed_out === 'local' && !res.locals.user;
    res.render('pages/home', { signedOutLocally });
  };
}
