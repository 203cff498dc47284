import {
  base64url,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type JWK,
  type JWTPayload,
} from 'jose';
import type { ProviderMiddleware } from '../../src/dev-provider/dev-provider.js';

/** Rewrites the compact ID token the provider is about to return. */
export type IdTokenForgery = (idToken: string) => Promise<string>;

/**
 * Provider middleware: after the token endpoint has answered, replaces `id_token` in the body with
 * `forgery()` of it, whenever the test has set one. Everything else in the response is untouched.
 */
export function forgeIdTokens(current: () => IdTokenForgery | undefined): ProviderMiddleware {
  return async (ctx, next) => {
    await next();
    const forgery = current();
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (forgery && ctx.oidc?.route === 'token' && ctx.status === 200 && typeof body?.id_token === 'string') {
      body.id_token = await forgery(body.id_token);
    }
  };
}

type ClaimsPatch = (claims: JWTPayload) => JWTPayload;

async function sign(
  claims: JWTPayload,
  header: Record<string, unknown>,
  key: CryptoKey | Uint8Array,
  alg: string,
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ ...header, alg }).sign(key);
}

/** Re-signs with the provider's own key and kid after changing the claims: only the claims are wrong. */
export function resignedByProvider(signingKey: JWK, patch: ClaimsPatch = (claims) => claims): IdTokenForgery {
  return async (idToken) => {
    const key = await importJWK(signingKey, 'RS256');
    if (!(key instanceof CryptoKey)) throw new Error('expected an RSA signing key');
    return sign(patch(decodeJwt(idToken)), { ...decodeProtectedHeader(idToken) }, key, 'RS256');
  };
}

/**
 * Signed with a key the provider never published, under the given kid (the provider's own, to
 * pass a naive "kid matches" check). `embedKey` also puts the attacker's public key in a `jwk`
 * header, which a verifier must ignore: keys come only from the provider's jwks_uri.
 */
export function signedWithForeignKey(kid: string, { embedKey = false } = {}): IdTokenForgery {
  return async (idToken) => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const header: Record<string, unknown> = { typ: 'JWT', kid };
    if (embedKey) header.jwk = await exportJWK(publicKey);
    return sign(decodeJwt(idToken), header, privateKey, 'RS256');
  };
}

/** The provider's token with every signature byte XOR 0x5A, as the OpenID conformance suite does it. */
export const flippedSignature: IdTokenForgery = (idToken) => {
  const [header = '', payload = '', signature = ''] = idToken.split('.');
  const flipped = base64url.encode(base64url.decode(signature).map((byte) => byte ^ 0x5a));
  return Promise.resolve(`${header}.${payload}.${flipped}`);
};

/** The same claims with `alg: none` and no signature at all. */
export const unsigned: IdTokenForgery = (idToken) => {
  const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
  const payload = idToken.split('.')[1] ?? '';
  return Promise.resolve(`${header}.${payload}.`);
};

/** Algorithm confusion: HS256 keyed with the client secret, which the client itself knows. */
export function hmacWithClientSecret(clientSecret: string): IdTokenForgery {
  return (idToken) => sign(decodeJwt(idToken), { typ: 'JWT' }, new TextEncoder().encode(clientSecret), 'HS256');
}
