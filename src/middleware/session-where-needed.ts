import type { RequestHandler } from 'express';

/**
 * Runs express-openid-connect's middleware for every request, except GET/HEAD of a public page
 * by a visitor who has no session cookie. For such a visitor the library would only make up a
 * session id it never uses and hook the response to store nothing; skipping it changes nothing
 * visible and saves that work on the busiest anonymous page. A request that carries a session
 * cookie (valid, expired or forged) always goes through the library, which decides what it is
 * worth and clears it when it is worthless. Pages in `publicPaths` must not use req.oidc.
 */
export function sessionWhereNeeded(auth: RequestHandler, { cookieName, publicPaths }: { cookieName: string; publicPaths: string[] }): RequestHandler {
  const publicPages = new Set(publicPaths);
  const sessionCookie = new RegExp(`(?:^|;)\\s*${cookieName.replace(/[^\w-]/g, '\\$&')}(?:\\.\\d+)?=`);
  return (req, res, next) => {
    const anonymousPublicRead = (req.method === 'GET' || req.method === 'HEAD') && publicPages.has(req.path) && !sessionCookie.test(req.get('cookie') ?? '');
    if (anonymousPublicRead) {
      next();
      return;
    }
    void auth(req, res, next);
  };
}
