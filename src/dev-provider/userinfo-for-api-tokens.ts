import type { RequestHandler, Response } from 'express';
import { bearerJwt, type ApiTokenVerifier } from './api-tokens.js';
import { userinfoAudienceOf } from './access-tokens.js';
import { findDemoUserBySub } from './demo-users.js';
import { releasedClaims } from './scope-claims.js';

function refuse(res: Response, status: 401 | 403, error: string, description: string): void {
  res
    .status(status)
    .set('Cache-Control', 'no-store')
    .set('WWW-Authenticate', `Bearer error="${error}", error_description="${description}"`)
    .json({ error, error_description: description });
}

/**
 * /userinfo for API access tokens. Auth0 accepts a JWT access token at /userinfo when its audience
 * includes the /userinfo URL, which it adds to every API token granted with `openid`; oidc-provider
 * refuses any token with an API audience there (and cannot look up a JWT, which it never stores). So
 * a JWT bearer is answered here; an opaque token (no audience) goes on to oidc-provider as before.
 */
export function userinfoForApiTokens({
  issuer,
  rolesClaim,
  verify,
}: {
  issuer: string;
  rolesClaim: string;
  verify: ApiTokenVerifier;
}): RequestHandler {
  return async (req, res, next) => {
    const token = req.path === '/userinfo' ? bearerJwt(req.headers.authorization) : undefined;
    if (!token || (req.method !== 'GET' && req.method !== 'POST')) {
      next();
      return;
    }
    const verified = await verify(token, userinfoAudienceOf(issuer));
    const user = verified && findDemoUserBySub(verified.sub);
    if (!verified || !user) {
      refuse(res, 401, 'invalid_token', 'invalid token provided');
      return;
    }
    if (!verified.scopes.has('openid')) {
      refuse(res, 403, 'insufficient_scope', 'access token missing openid scope');
      return;
    }
    res.set('Cache-Control', 'no-store').json(releasedClaims(user, { issuer, rolesClaim, scopes: verified.scopes }));
  };
}
