import { jwtVerify } from 'jose';
import * as v from 'valibot';
import { jsonObject } from './json-object.js';
import { KeySetUnavailable, type ProviderMetadata } from './provider-metadata.js';
import type { ProviderLogout } from '../sessions/index.js';

const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const ALGORITHMS = ['RS256'];
const CLOCK_TOLERANCE_SECONDS = 60;
/** Logout tokens are sent the moment the provider session ends; an old one is a replay. */
const MAX_TOKEN_AGE_SECONDS = 10 * 60;
const LOGOUT_TOKEN_TYPE = 'logout+jwt';

const text = v.pipe(v.string(), v.minLength(1));
/** A JSON number: `1e400` parses as Infinity, which is no time. */
const time = v.pipe(v.number(), v.finite());
const claimsSchema = v.object({
  sub: v.optional(text),
  sid: v.optional(text),
  jti: text,
  iat: time,
  exp: v.optional(time),
  // Section 2.4: the event's value is a JSON object (empty or not).
  events: v.object({ [BACKCHANNEL_LOGOUT_EVENT]: jsonObject }),
  nonce: v.optional(v.unknown()),
});

/** Why a logout token was refused: for the log only, never for the response. */
export class InvalidLogoutToken extends Error {
  override name = 'InvalidLogoutToken';
}

/**
 * Section 2.4 recommends `typ: logout+jwt`, but section 4.1 warns that requiring it breaks
 * providers that send none (Auth0 among them): so no `typ`, or one naming that media type, compared
 * as RFC 8725 and jose compare media types (case-insensitively, `application/` optional). Any
 * other `typ` is refused: an ID token says `JWT`.
 */
function isLogoutTokenType(typ: unknown): boolean {
  return (
    typ === undefined ||
    (typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === LOGOUT_TOKEN_TYPE)
  );
}

/**
 * Validates a back-channel logout token as OpenID Connect Back-Channel Logout 1.0 section 2.6
 * asks: signature against the provider's JWKS, RS256 only, `typ` absent or logout+jwt, `iss`,
 * `aud`, `iat` (at most 10 minutes old, not ahead by more than the tolerance), `exp` when present, `jti`, the back-channel
 * event, no `nonce`, and `sub` or `sid`. An ID token never passes: it has no events claim, and
 * in this app's flow a nonce and typ `JWT`. Uses the cached discovery document and keys, so it
 * calls the provider only when those caches are cold or a new key appears.
 * Throws InvalidLogoutToken, or the metadata's own error (KeySetUnavailable, a discovery failure)
 * when the provider cannot be reached.
 */
export async function verifyLogoutToken(
  token: string,
  { metadata, clientID }: { metadata: ProviderMetadata; clientID: string },
): Promise<ProviderLogout> {
  const { issuer } = await metadata.discovery();
  const keys = await metadata.signingKeys();
  let payload: unknown;
  let typ: unknown;
  try {
    ({
      payload,
      protectedHeader: { typ },
    } = await jwtVerify(token, keys, {
      issuer,
      audience: clientID,
      algorithms: ALGORITHMS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      maxTokenAge: MAX_TOKEN_AGE_SECONDS,
      requiredClaims: ['iat', 'jti'],
    }));
  } catch (error) {
    // The provider's keys could not be fetched: the token was never judged.
    if (error instanceof KeySetUnavailable) throw error;
    throw new InvalidLogoutToken('logout token rejected', { cause: error });
  }
  if (!isLogoutTokenType(typ)) throw new InvalidLogoutToken('logout token has the typ of another kind of token');
  const claims = v.safeParse(claimsSchema, payload);
  if (!claims.success)
    throw new InvalidLogoutToken('logout token claims are not those of a back-channel logout', {
      cause: new v.ValiError(claims.issues),
    });
  const { sub, sid, jti, iat, exp, nonce } = claims.output;
  // Section 2.4: a nonce is forbidden, so that an ID token can never pass for a logout token.
  if (nonce !== undefined) throw new InvalidLogoutToken('logout token carries a nonce');
  if (sub === undefined && sid === undefined) throw new InvalidLogoutToken('logout token names neither sub nor sid');
  // The last moment this token would still pass the checks above (jose: iat age and exp, each with the tolerance).
  const acceptedUntil =
    (Math.min(iat + MAX_TOKEN_AGE_SECONDS, exp ?? Number.POSITIVE_INFINITY) + CLOCK_TOLERANCE_SECONDS) * 1000;
  return { sub, sid, jti, issuedAt: iat * 1000, acceptedUntil };
}
