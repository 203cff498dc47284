import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevProvider, type DevProvider } from '../../src/dev-provider/dev-provider.js';
import { DEFAULT_ROLES_CLAIM } from '../../src/config.js';
import {
  authorizeAtDevProvider,
  FULL_API_SCOPE,
  tokensForDemoUser,
  type TokenResponse,
} from '../support/dev-provider-tokens.js';
import { captureLogs } from '../support/logs.js';
import { bob } from '../support/sign-in.js';

/*
 * Auth0's `audience` parameter at the embedded provider: a JWT access token for the Management API,
 * shaped as Auth0 issues it, beside an ID token that carries the user's roles.
 */

const startProvider = (options: { accessTokenTtlSeconds?: number; rolesClaim?: string } = {}) =>
  startDevProvider({ appBaseURL: 'http://localhost:9', nodeEnv: 'test', logger: captureLogs().logger, ...options });

function userinfo(dev: DevProvider, accessToken: string): Promise<Response> {
  return fetch(new URL('/userinfo', dev.origin), { headers: { authorization: `Bearer ${accessToken}` } });
}

describe('access tokens for the Management API audience', () => {
  let dev: DevProvider;
  let alice: TokenResponse;
  let claims: JWTPayload;

  beforeAll(async () => {
    dev = await startProvider();
    alice = await tokensForDemoUser(dev, { audience: dev.managementAudience });
    claims = decodeJwt(alice.access_token);
  });
  afterAll(() => dev.close());

  it("is a JWT signed with the provider's published RS256 key, issued by the provider for the user", async () => {
    const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', dev.origin));
    const { payload, protectedHeader } = await jwtVerify(alice.access_token, jwks, {
      issuer: dev.issuer.issuerBaseURL,
      algorithms: ['RS256'],
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.sub).toBe('auth0|64f1c0ffee0000000000a11c');
  });

  it('names both the API and /userinfo as its audience, as Auth0 does', () => {
    expect(dev.managementAudience).toBe(`${dev.origin}/api/v2/`);
    expect(claims.aud).toEqual([dev.managementAudience, `${dev.origin}/userinfo`]);
  });

  it('carries the granted OpenID and API scopes in `scope`', () => {
    expect(String(claims.scope).split(' ').sort()).toEqual(FULL_API_SCOPE.split(' ').sort());
  });

  it("carries the user's RBAC permissions and roles (alice is an admin)", () => {
    expect(claims.permissions).toEqual(['read:admin']);
    expect(claims[DEFAULT_ROLES_CLAIM]).toEqual(['admin']);
  });

  it('expires after the development lifetime of 120 seconds by default', () => {
    expect(alice.expires_in).toBe(120);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(120);
    expect(Math.abs(Number(claims.iat) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('comes with a refresh token when offline_access is asked for, and without one otherwise', async () => {
    expect(alice.refresh_token).toEqual(expect.any(String));
    const online = await tokensForDemoUser(dev, {
      audience: dev.managementAudience,
      scope: 'openid profile read:current_user',
    });
    expect(online.refresh_token).toBeUndefined();
  });

  it('grants only the API scopes the request asked for', async () => {
    const fewer = await tokensForDemoUser(dev, {
      audience: dev.managementAudience,
      scope: 'openid read:current_user',
    });
    expect(decodeJwt(fewer.access_token).scope).toBe('openid read:current_user');
  });

  it('is accepted at /userinfo, which answers with the profile of its scopes', async () => {
    const response = await userinfo(dev, alice.access_token);
    expect(response.status).toBe(200);
    const profile = (await response.json()) as Record<string, unknown>;
    expect(profile).toMatchObject({ sub: claims.sub, email: 'alice@example.com', name: 'Alice Liddell' });
    expect(profile[DEFAULT_ROLES_CLAIM]).toEqual(['admin']);
  });

  it('is refused at /userinfo once its signature is broken', async () => {
    const [header, payload] = alice.access_token.split('.');
    const response = await userinfo(dev, `${header}.${payload}.${'A'.repeat(342)}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('gives bob no permissions and no roles', async () => {
    const tokens = await tokensForDemoUser(dev, { user: bob, audience: dev.managementAudience });
    const bobClaims = decodeJwt(tokens.access_token);
    expect(bobClaims.sub).toBe('auth0|64f1c0ffee00000000000b0b');
    expect(bobClaims.permissions).toEqual([]);
    expect(bobClaims[DEFAULT_ROLES_CLAIM]).toEqual([]);
  });
});

describe('ID tokens and the roles claim', () => {
  let dev: DevProvider;
  beforeAll(async () => {
    dev = await startProvider();
  });
  afterAll(() => dev.close());

  it("carry alice's roles and no permissions", async () => {
    const { id_token } = await tokensForDemoUser(dev, { audience: dev.managementAudience });
    const claims = decodeJwt(String(id_token));
    expect(claims[DEFAULT_ROLES_CLAIM]).toEqual(['admin']);
    expect(claims.permissions).toBeUndefined();
  });

  it('carry an empty role list for bob, without an audience too', async () => {
    const { id_token } = await tokensForDemoUser(dev, { user: bob, scope: 'openid profile email' });
    expect(decodeJwt(String(id_token))[DEFAULT_ROLES_CLAIM]).toEqual([]);
  });
});

describe('authorization requests without an audience', () => {
  let dev: DevProvider;
  beforeAll(async () => {
    dev = await startProvider();
  });
  afterAll(() => dev.close());

  it('get an opaque access token for /userinfo only, as before', async () => {
    const tokens = await tokensForDemoUser(dev, { scope: 'openid profile email' });
    expect(tokens.access_token.split('.')).toHaveLength(1);
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.refresh_token).toBeUndefined();
    const response = await userinfo(dev, tokens.access_token);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { email?: string }).email).toBe('alice@example.com');
  });
});

describe('an audience the tenant does not know', () => {
  let dev: DevProvider;
  beforeAll(async () => {
    dev = await startProvider();
  });
  afterAll(() => dev.close());

  it('is refused at /authorize with access_denied "Service not found", as Auth0 refuses it', async () => {
    const { callbackUrl } = await authorizeAtDevProvider(dev, { audience: 'https://api.example.com/' });
    expect(callbackUrl.searchParams.get('code')).toBeNull();
    expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
    expect(callbackUrl.searchParams.get('error_description')).toBe('Service not found: https://api.example.com/');
  });
});

describe('a provider started with its own token lifetime and roles claim', () => {
  let dev: DevProvider;
  beforeAll(async () => {
    dev = await startProvider({ accessTokenTtlSeconds: 300, rolesClaim: 'https://example.com/roles' });
  });
  afterAll(() => dev.close());

  it('issues API tokens of that lifetime with the roles under that claim, in both tokens', async () => {
    const tokens = await tokensForDemoUser(dev, { audience: dev.managementAudience });
    const claims = decodeJwt(tokens.access_token);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(300);
    expect(claims['https://example.com/roles']).toEqual(['admin']);
    expect(claims[DEFAULT_ROLES_CLAIM]).toBeUndefined();
    expect(decodeJwt(String(tokens.id_token))['https://example.com/roles']).toEqual(['admin']);
  });
});
