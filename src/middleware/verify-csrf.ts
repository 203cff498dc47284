import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { userError } from '../errors.js';

const refused = () =>
  userError(
    403,
    'Request refused',
    'This form has expired or did not come from this site. Please go back, reload the page and try again.',
  );

function sameToken(expected: string | undefined, given: unknown): boolean {
  if (typeof expected !== 'string' || typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Checks a state-changing form POST: the browser must not call it cross-site (Fetch Metadata, with
 * the Origin header as the fallback for browsers without it), and the body must carry this
 * session's synchronizer token as `_csrf`. Needs a parsed urlencoded body.
 */
export function verifyCsrf(baseURL: string): RequestHandler {
  const ownOrigin = new URL(baseURL).origin;
  return (req, res, next) => {
    const site = req.get('sec-fetch-site');
    const origin = req.get('origin');
    const crossSite =
      site !== undefined ? site !== 'same-origin' && site !== 'none' : origin !== undefined && origin !== ownOrigin;
    const body = req.body as Record<string, unknown> | undefined;
    if (crossSite || !sameToken(res.locals.csrfToken, body?._csrf)) {
      next(refused());
      return;
    }
    next();
  };
}
