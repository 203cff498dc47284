import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';

/** What an endpoint of this provider needs from a verified API access token. */
export interface ApiToken {
  sub: string;
  scopes: ReadonlySet<string>;
}

/**
 * Verifies an API access token this provider issued, as a resource server would (it is a JWT, never
 * stored): its signature with the provider's key, `typ`, `iss`, `exp` and that `aud` includes
 * `audience`. Resolves to undefined for anything else, without saying why: callers answer 401.
 */
export type ApiTokenVerifier = (token: string, audience: string) => Promise<ApiToken | undefined>;

export function apiTokenVerifier(issuer: string, signingKey: JWK): ApiTokenVerifier {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicKey } = signingKey;
  const keys = createLocalJWKSet({ keys: [publicKey] });
  return async (token, audience) => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer,
        audience,
        algorithms: ['RS256'],
        typ: 'at+jwt',
        requiredClaims: ['sub', 'exp'],
      });
      if (typeof payload.sub !== 'string') return undefined;
      const scope = typeof payload.scope === 'string' ? payload.scope : '';
      return { sub: payload.sub, scopes: new Set(scope.split(' ').filter(Boolean)) };
    } catch {
      return undefined;
    }
  };
}

/** The JWT of an `Authorization: Bearer` header; undefined for no header, another scheme or an opaque token. */
export function bearerJwt(authorization: string | undefined): string | undefined {
  return /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(authorization ?? '')?.[1];
}
