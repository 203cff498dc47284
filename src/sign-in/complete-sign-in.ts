import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { jwtVerify } from 'jose';
import type { Logger } from 'pino';
import { userError } from '../errors.js';
import type { AppSessionData, CurrentSession } from '../sessions/index.js';
import type { ProviderMetadata } from './provider-metadata.js';
import { safeReturnTo } from './safe-return-to.js';
import { parseUserinfo } from './user-profile.js';
import type { ManagementApi } from './management-api.js';
import { permissionsOf } from './token-client.js';

const ID_TOKEN_ALGORITHMS = ['RS256'];
/** Enough to tell browsers apart on /sessions; a longer header is someone padding it. */
const MAX_USER_AGENT_LENGTH = 512;
const CLOCK_TOLERANCE_SECONDS = 60;
/** At most this many roles are kept, each at most this long: more is a token padded on purpose. */
const MAX_ROLES = 100;
const MAX_ROLE_LENGTH = 200;

interface Options {
  metadata: ProviderMetadata;
  clientID: string;
  baseURL: string;
  /** The session the visitor came with, if any: this sign-in replaces it. */
  session: CurrentSession;
  /** What log lines say for a user (session-keys.ts userLogId). */
  logIdOf: (sub: string) => string;
  logger: Logger;
  /** The ID token claim that lists the user's roles (ROLES_CLAIM). */
  rolesClaim: string;
  /**
   * Whether an API (AUDIENCE) is configured: the session then keeps the access and refresh tokens
   * (sealed at rest) so that routes can call it as the user; otherwise it keeps none.
   */
  keepTokens: boolean;
  /** The Management API, when AUDIENCE is one: the user's settings are read once at sign-in. */
  managementApi?: ManagementApi;
}

/** The state of the sign-in, decoded from the transaction cookie: the library redirects to its returnTo next. */
type SignInState = Record<string, unknown>;

const unverified = (cause: unknown) =>
  userError(
    400,
    'Sign-in could not be verified',
    'We could not verify your sign-in, so you have not been signed in. Please try again.',
    {
      retrySignIn: true,
      cause,
    },
  );

/**
 * express-openid-connect's `afterCallback`: runs after the library has checked state, nonce and
 * PKCE and redeemed the code, and before the new session exists. It checks the ID token's
 * signature against the provider's published keys (the library does not in the code flow), loads
 * the profile from /userinfo, as the Flask tutorial did, and only then ends the session the visitor
 * came with: the library stores the new one under a new id, so no sign-in ever continues an old
 * session (fixation), and a callback that fails before this point leaves a live session as it was.
 * It also re-checks the return-to path in the state, where the library's redirect comes from.
 * Throwing here leaves the visitor as they were, without a new session.
 */
export function completeSignIn({
  metadata,
  clientID,
  baseURL,
  session: current,
  logIdOf,
  logger,
  rolesClaim,
  keepTokens,
  managementApi,
}: Options) {
  return async (req: Request, _res: unknown, session: AppSessionData, state?: SignInState): Promise<AppSessionData> => {
    const log = logger.child({ reqId: req.id });
    // The library redirects to req.openidState.returnTo (this same object) once we return. /login
    // only ever stores a safe path; this keeps it so whatever wrote the state.
    if (state) state.returnTo = safeReturnTo(state.returnTo, baseURL);
    if (!session.id_token) throw unverified(new Error('token response has no id_token'));

    const { issuer } = await metadata.discovery();
    let issuedAt: number;
    let roles: string[] | undefined;
    try {
      const { payload } = await jwtVerify(session.id_token, await metadata.signingKeys(), {
        issuer,
        audience: clientID,
        algorithms: ID_TOKEN_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'iat', 'exp'],
      });
      issuedAt = Number(payload.iat) * 1000;
      roles = rolesFrom(payload[rolesClaim]);
    } catch (error) {
      log.warn({ event: 'auth.login.failed', reason: 'id_token_rejected', err: error }, 'ID token rejected');
      throw unverified(error);
    }

    let userinfo: unknown;
    try {
      userinfo = await req.oidc.fetchUserInfo();
    } catch (error) {
      log.warn({ event: 'auth.login.failed', reason: 'userinfo_failed', err: error }, 'userinfo request failed');
      throw userError(
        502,
        'Sign-in service error',
        'The sign-in service did not return your profile. Please try again in a moment.',
        {
          retrySignIn: true,
          cause: error,
        },
      );
    }

    const checked = parseUserinfo(userinfo);
    // managementApi is set only when AUDIENCE is the Management API, so the tokens are kept too.
    const settings =
      managementApi && session.access_token
        ? await managementApi.readSettings(session.access_token, checked.sub).catch((error: unknown) => {
            // The settings are a nicety of the header: a sign-in does not fail for them.
            log.warn({ event: 'account.settings_unread', err: error }, 'could not read the settings at sign-in');
            return undefined;
          })
        : undefined;
    await current.endReplaced(req);
    const userLogId = logIdOf(checked.sub);
    log.info({ event: 'auth.login.success', user: userLogId }, 'signed in');
    // Without an API to call, the access token was needed for /userinfo only. Not keeping it means
    // a stored session holds no token that could call the provider's APIs, and each is smaller.
    const {
      access_token: accessToken,
      token_type: _tokenType,
      expires_at: _expiresAt,
      refresh_token: _refreshToken,
      ...kept
    } = session;
    const api = keepTokens
      ? {
          access_token: accessToken,
          token_type: session.token_type,
          expires_at: session.expires_at,
          refresh_token: session.refresh_token,
          permissions: accessToken === undefined ? undefined : permissionsOf(accessToken),
          settings,
        }
      : {};
    return {
      ...kept,
      ...api,
      roles,
      userinfo: checked,
      csrfToken: randomBytes(32).toString('base64url'),
      handle: randomBytes(16).toString('base64url'),
      signedInAt: Date.now(),
      idTokenIssuedAt: issuedAt,
      userLogId,
      userAgent: req.get('user-agent')?.slice(0, MAX_USER_AGENT_LENGTH),
    };
  };
}

/** The roles claim's strings (an array, as an Auth0 Action sets it), bounded; undefined when absent. */
function rolesFrom(claim: unknown): string[] | undefined {
  if (!Array.isArray(claim)) return undefined;
  return claim
    .filter((role): role is string => typeof role === 'string' && role.length > 0 && role.length <= MAX_ROLE_LENGTH)
    .slice(0, MAX_ROLES);
}
