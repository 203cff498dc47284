import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import type { DevProvider } from '../../src/dev-provider/dev-provider.js';

const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A logout token issued and signed by the embedded provider itself, naming a user and/or a provider session. */
export async function providerLogoutToken(
  dev: DevProvider,
  { sub, sid }: { sub?: string; sid?: string },
): Promise<string> {
  const client = await dev.provider.Client.find(dev.issuer.clientID);
  if (!client) throw new Error('the development client is not registered');
  const token = new dev.provider.IdToken(sub === undefined ? {} : { sub }, { client });
  // As oidc-provider's own back-channel logout does: without it, `sub` is filtered out as a claim.
  Object.assign(token, { mask: { sub: null } });
  token.set('events', { [BACKCHANNEL_LOGOUT_EVENT]: {} });
  token.set('jti', randomUUID());
  if (sid !== undefined) token.set('sid', sid);
  return token.issue({ use: 'logout' });
}

/**
 * A JWT signed with the provider's own key and `kid`, with exactly the header and claims given:
 * for tokens the provider would not issue itself (a logout token without `typ`, as Auth0 sends
 * them; an ID token dressed up as a logout token).
 */
export async function signedByProviderKey(
  signingKey: JWK,
  claims: JWTPayload,
  header: Record<string, unknown> = {},
): Promise<string> {
  const key = await importJWK(signingKey, 'RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: signingKey.kid, ...header }).sign(key);
}

/** Claims of a valid logout token from `dev` for this app's client, naming `sid` and/or `sub`. */
export function logoutClaims(dev: DevProvider, names: { sub?: string; sid?: string }): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: dev.issuer.issuerBaseURL,
    aud: dev.issuer.clientID,
    iat: now,
    exp: now + 120,
    jti: randomUUID(),
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    ...names,
  };
}
