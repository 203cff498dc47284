import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import type { ConfigParams, SessionStore } from 'express-openid-connect';
import { DEFAULT_API_SCOPES, type AppConfig } from '../config.js';
import { isManagementApiAudience } from './management-api.js';
import type { AppSessionData, ExpressSessionStore, SessionIdSigner } from '../sessions/index.js';

/** Cookie names: `__Host-` under https binds them to this exact origin (Secure, Path=/, no Domain). */
export function cookieNames(baseURL: string) {
  const prefix = baseURL.startsWith('https:') ? '__Host-' : '';
  return { session: `${prefix}session`, transaction: `${prefix}auth_verification` };
}

/** Where the provider sends the browser back: always from BASE_URL, never from the request's Host. */
export function callbackUrl(baseURL: string): string {
  return `${baseURL}/callback`;
}

/** What a sign-in asks of an API: which one (AUDIENCE, if any) and its scopes. */
type ApiRequest = Pick<AppConfig['api'], 'audience' | 'scopes'>;

/**
 * What a sign-in asks for: the profile always; with an API (AUDIENCE), its scopes and
 * offline_access, so that the provider issues a refresh token and the access token can be renewed
 * without sending the user back to the login page.
 */
export function requestedScope(api: ApiRequest): string {
  const profile = ['openid', 'profile', 'email'];
  if (api.audience === undefined) return profile.join(' ');
  return [...profile, 'offline_access', ...requestedApiScopes({ ...api, audience: api.audience })].join(' ');
}

/** The API's own scopes a sign-in asks for: SCOPE; unset, what /account needs of the Management API, none of another API. */
export function requestedApiScopes(api: ApiRequest & { audience: string }): readonly string[] {
  return api.scopes ?? (isManagementApiAudience(api.audience) ? DEFAULT_API_SCOPES : []);
}

/**
 * The authorization request's own parameters, as every sign-in sends them (express-openid-connect
 * adds client_id, state, nonce and PKCE). The doctor sends the same, so what it checks is what
 * users' browsers will ask for.
 */
export function authorizationParams({ baseURL, api }: { baseURL: string; api: ApiRequest }) {
  return {
    // Code flow with the client secret; the library then adds PKCE (S256), state and nonce.
    response_type: 'code' as const,
    response_mode: 'query' as const,
    scope: requestedScope(api),
    redirect_uri: callbackUrl(baseURL),
    // Auth0's way of naming the API an access token is for (RFC 8707 calls it `resource`).
    ...(api.audience === undefined ? {} : { audience: api.audience }),
  };
}

interface Hooks {
  store: ExpressSessionStore;
  signer: SessionIdSigner;
  afterCallback: (
    req: Request,
    res: unknown,
    session: AppSessionData,
    state?: Record<string, unknown>,
  ) => Promise<AppSessionData>;
}

/**
 * Every option of express-openid-connect, set explicitly: the library otherwise reads SECRET,
 * CLIENT_ID... from process.env behind our back, and several of its defaults are weak
 * (implicit flow, 24 h idle / 7 day sessions, GET logout, unsigned store cookie).
 */
export function openidOptions(config: AppConfig, { store, signer, afterCallback }: Hooks): ConfigParams {
  const names = cookieNames(config.baseURL);
  return {
    issuerBaseURL: config.issuer.issuerBaseURL,
    baseURL: config.baseURL,
    clientID: config.issuer.clientID,
    clientSecret: config.issuer.clientSecret,
    secret: config.secrets,
    authorizationParams: authorizationParams(config),
    // The library's state is base64url({returnTo}): the same for every sign-in to the same page,
    // so an attacker's authorization response would pass the state check in a victim's browser and
    // its code would be redeemed (only PKCE would stop it). A random part makes the state check
    // refuse it before anything reaches the provider.
    getLoginState: (_req, options) => ({ returnTo: options.returnTo, csrf: randomBytes(16).toString('base64url') }),
    clientAuthMethod: 'client_secret_basic',
    idTokenSigningAlg: 'RS256',
    clockTolerance: 60,
    httpTimeout: config.providerTimeoutMs,
    enableTelemetry: false,
    useMtls: false,
    authRequired: false,
    attemptSilentLogin: false,
    errorOnRequiredAuth: false,
    // Our own /login (validated returnTo), GET /callback (rate-limited, fresh session id every
    // time) and POST /logout (CSRF, session ended first).
    routes: { login: false, logout: false, callback: false },
    idpLogout: false,
    legacySameSiteCookie: false,
    transactionCookie: { name: names.transaction, sameSite: 'Lax' },
    session: {
      name: names.session,
      // The library's typings want every token present; our AppSessionData says which may be missing.
      store: store as unknown as SessionStore,
      rolling: true,
      rollingDuration: config.session.idleTimeoutSeconds,
      absoluteDuration: config.session.absoluteTimeoutSeconds,
      // The library only stores new sessions (at /callback); sessions/load-session.ts reads them.
      // The id signs itself (sessions/session-id.ts) and the loader checks that signature with a
      // synchronous HMAC: the library's own signing costs a WebCrypto verify on every request.
      genid: signer.generate,
      signSessionStoreCookie: false,
      requireSignedSessionStoreCookie: false,
      cookie: { httpOnly: true, sameSite: 'Lax', secure: config.baseURL.startsWith('https:') },
    },
    // The library's typings say `expires_at: string`; it really stores epoch seconds, as AppSessionData says.
    afterCallback: afterCallback as unknown as ConfigParams['afterCallback'],
  };
}
