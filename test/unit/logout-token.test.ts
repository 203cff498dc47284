import fc from 'fast-check';
import {
  CompactSign,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWTPayload,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidLogoutToken, verifyLogoutToken } from '../../src/sign-in/logout-token.js';
import type { ProviderMetadata } from '../../src/sign-in/provider-metadata.js';

const issuer = 'https://tenant.example.com/';
const clientID = 'client-1';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const KID = 'key-1';

let providerKey: CryptoKey;
let attackerKey: CryptoKey;
let metadata: ProviderMetadata;

beforeAll(async () => {
  const provider = await generateKeyPair('RS256', { extractable: true });
  providerKey = provider.privateKey;
  attackerKey = (await generateKeyPair('RS256')).privateKey;
  const jwks = createLocalJWKSet({
    keys: [{ ...(await exportJWK(provider.publicKey)), kid: KID, alg: 'RS256', use: 'sig' }],
  });
  metadata = {
    discovery: () => Promise.resolve({ issuer, jwks_uri: `${issuer}.well-known/jwks.json` }),
    signingKeys: () => Promise.resolve(jwks),
    signInReady: () => Promise.resolve(),
    providerFailed: () => undefined,
  };
});

const now = () => Math.floor(Date.now() / 1000);

function claims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: issuer,
    aud: clientID,
    iat: now(),
    exp: now() + 120,
    jti: 'jti-1',
    sub: 'auth0|alice',
    sid: 'sid-1',
    events: { [EVENT]: {} },
    ...overrides,
  };
}

function sign(
  payload: JWTPayload,
  { key = providerKey, header = {} }: { key?: CryptoKey; header?: Record<string, unknown> } = {},
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt', kid: KID, ...header }).sign(key);
}

/** Signed by the provider's key with no `typ` header at all, as Auth0 and other providers send logout tokens. */
function signUntyped(payload: JWTPayload): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: KID }).sign(providerKey);
}

function without(payload: JWTPayload, claim: string): JWTPayload {
  return Object.fromEntries(Object.entries(payload).filter(([name]) => name !== claim));
}

const verify = (token: string) => verifyLogoutToken(token, { metadata, clientID });

describe('verifyLogoutToken', () => {
  it('accepts a logout token from the provider and returns whom it names', async () => {
    const iat = now() - 5;
    await expect(verify(await sign(claims({ iat, exp: iat + 120 })))).resolves.toEqual({
      sub: 'auth0|alice',
      sid: 'sid-1',
      jti: 'jti-1',
      issuedAt: iat * 1000,
      acceptedUntil: (iat + 120 + 60) * 1000,
    });
  });

  it('says the token is accepted until 10 minutes after its iat, plus the clock tolerance, when it has no exp', async () => {
    const iat = now() - 5;
    const { exp: _exp, ...withoutExp } = claims({ iat });
    await expect(verify(await sign(withoutExp))).resolves.toMatchObject({
      issuedAt: iat * 1000,
      acceptedUntil: (iat + 600 + 60) * 1000,
    });
  });

  it('accepts a token naming only the provider session, or only the user', async () => {
    const iat = now();
    const times = { issuedAt: iat * 1000, acceptedUntil: (iat + 120 + 60) * 1000 };
    await expect(verify(await sign(without(claims({ iat, exp: iat + 120 }), 'sub')))).resolves.toEqual({
      sub: undefined,
      sid: 'sid-1',
      jti: 'jti-1',
      ...times,
    });
    await expect(verify(await sign(without(claims({ iat, exp: iat + 120 }), 'sid')))).resolves.toEqual({
      sub: 'auth0|alice',
      sid: undefined,
      jti: 'jti-1',
      ...times,
    });
  });

  it('accepts the typ with its media-type prefix, in any case, as media types compare', async () => {
    for (const typ of ['application/logout+jwt', 'Logout+JWT', 'APPLICATION/LOGOUT+JWT']) {
      await expect(verify(await sign(claims(), { header: { typ } })), typ).resolves.toMatchObject({ sid: 'sid-1' });
    }
  });

  it('accepts a token without typ (Back-Channel Logout 1.0 section 4.1: Auth0 and others send none)', async () => {
    const iat = now();
    await expect(verify(await signUntyped(claims({ iat, exp: iat + 120 })))).resolves.toEqual({
      sub: 'auth0|alice',
      sid: 'sid-1',
      jti: 'jti-1',
      issuedAt: iat * 1000,
      acceptedUntil: (iat + 180) * 1000,
    });
  });

  it('accepts exactly the typ values that name the logout+jwt media type, and no other', async () => {
    const typ = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom(
        'JWT',
        'jwt',
        'at+jwt',
        'secevent+jwt',
        'application/jwt',
        'logout+jwt ',
        'logout+jwt; charset=x',
        'application/logout+jwt+x',
        'x/logout+jwt',
      ),
      fc
        .tuple(
          fc.constantFrom('', 'application/', 'Application/', 'APPLICATION/'),
          fc.mixedCase(fc.constant('logout+jwt')),
        )
        .map(([prefix, name]) => `${prefix}${name}`),
    );
    await fc.assert(
      fc.asyncProperty(typ, async (value) => {
        const named = value.toLowerCase().replace(/^application\//, '') === 'logout+jwt';
        const outcome = verify(await sign(claims(), { header: { typ: value } }));
        if (named) await expect(outcome).resolves.toMatchObject({ jti: 'jti-1' });
        else await expect(outcome).rejects.toBeInstanceOf(InvalidLogoutToken);
      }),
      { numRuns: 60 },
    );
  });

  const refused: [string, () => Promise<string>][] = [
    [
      'alg none',
      () =>
        Promise.resolve(
          `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'logout+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.`,
        ),
    ],
    [
      'HS256 signed with the client secret',
      () =>
        new SignJWT(claims())
          .setProtectedHeader({ alg: 'HS256', typ: 'logout+jwt' })
          .sign(new TextEncoder().encode('the-client-secret-the-client-secret')),
    ],
    ['a wrong issuer', () => sign(claims({ iss: 'https://evil.example.com/' }))],
    ['a wrong audience', () => sign(claims({ aud: 'someone-else' }))],
    ['no events claim', () => sign(without(claims(), 'events'))],
    [
      'events without the back-channel logout event',
      () => sign(claims({ events: { 'http://example.com/other': {} } })),
    ],
    ['a nonce', () => sign(claims({ nonce: 'n-1' }))],
    [
      'a back-channel logout event that is an array, not a JSON object',
      () => sign(claims({ events: { [EVENT]: [] } })),
    ],
    [
      'an exp of 1e400 (JSON for Infinity: never expires)',
      () =>
        new CompactSign(new TextEncoder().encode(JSON.stringify(claims({ exp: 0 })).replace('"exp":0', '"exp":1e400')))
          .setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt', kid: KID })
          .sign(providerKey),
    ],
    ['neither sub nor sid', () => sign(without(without(claims(), 'sub'), 'sid'))],
    ['no jti', () => sign(without(claims(), 'jti'))],
    ['no iat', () => sign(without(claims(), 'iat'))],
    ['an iat in the future', () => sign(claims({ iat: now() + 600 }))],
    ['an iat too long ago', () => sign(claims({ iat: now() - 3600, exp: now() + 60 }))],
    ['an exp in the past', () => sign(claims({ iat: now() - 300, exp: now() - 120 }))],
    ['typ JWT (an ID token)', () => sign(claims(), { header: { typ: 'JWT' } })],
    [
      'typ JWT and a nonce, without events (an ID token exactly)',
      () => sign(without(claims({ nonce: 'n-1' }), 'events'), { header: { typ: 'JWT' } }),
    ],
    ['no typ but a nonce', () => signUntyped(claims({ nonce: 'n-1' }))],
    ['no typ and no events', () => signUntyped(without(claims(), 'events'))],
    ['a typ that is not a string', () => sign(claims(), { header: { typ: 7 } })],
    ['a signature by another key under the provider kid', () => sign(claims(), { key: attackerKey })],
    [
      'a tampered signature',
      async () => {
        const [header, payload, signature = ''] = (await sign(claims())).split('.');
        const flipped = Buffer.from(signature, 'base64url').map((byte) => byte ^ 0x5a);
        return `${header ?? ''}.${payload ?? ''}.${Buffer.from(flipped).toString('base64url')}`;
      },
    ],
    ['something that is not a JWT', () => Promise.resolve('not-a-jwt')],
  ];

  it.each(refused)('refuses a token with %s', async (_case, make) => {
    await expect(verify(await make())).rejects.toBeInstanceOf(InvalidLogoutToken);
  });
});
