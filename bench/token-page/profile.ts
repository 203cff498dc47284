/**
 * Stands in for src/routes/profile.ts in the benchmark's token-page build (build.ts here): the same
 * page, after asking for the user's access token, as a page of your own that calls an API as the
 * user does (README, "Calling an API as the user") before it calls the API. The benchmark loads it
 * against /profile of the production build, both signed in with an API configured, so the
 * difference is what a still-valid access token costs a page.
 */
import type { RequestHandler } from 'express';
import { profile as profilePage } from '../../src/routes/profile.js';

export function profile(): RequestHandler {
  const page = profilePage();
  return (req, res, next) => {
    req.accessToken().then((token) => {
      if (token.length === 0) throw new Error('req.accessToken() gave an empty token');
      void page(req, res, next);
    }, next);
  };
}
