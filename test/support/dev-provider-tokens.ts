import { createHash, randomBytes } from 'node:crypto';
import type { DevProvider } from '../../src/dev-provider/dev-provider.js';
import { TestBrowser } from './browser.js';
import { alice, authorize } from './sign-in.js';

/** Everything the app will ask for with an audience: OpenID, a refresh token and the three current_user scopes. */
export const FULL_API_SCOPE =
  'openid profile email offline_access read:current_user update:current_user_metadata create:current_user_metadata';

/** A token endpoint's JSON answer (RFC 6749 §5.1, plus the ID token). */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  id_token?: string;
  refresh_token?: string;
  scope?: string;
}

export interface AuthorizationOptions {
  user?: typeof alice;
  /** Auth0's `audience` parameter; left out when undefined. */
  audience?: string;
  scope?: string;
  /** A browser whose session at the provider is reused (single sign-on); a fresh one otherwise. */
  browser?: TestBrowser;
}

/** The app's registered /callback, where the provider sends authorization responses. */
async function redirectUri(dev: DevProvider): Promise<string> {
  const client = await dev.provider.Client.find(dev.issuer.clientID);
  const uri = client?.redirectUris?.[0];
  if (!uri) throw new Error('the development client has no redirect URI');
  return uri;
}

/** `Authorization: Basic` for the development client (its registered client_secret_basic). */
export function clientAuthorization(dev: DevProvider): string {
  const { clientID, clientSecret } = dev.issuer;
  const credentials = `${encodeURIComponent(clientID)}:${encodeURIComponent(clientSecret)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

/**
 * Takes an authorization request (code flow, PKCE) through the provider like a browser, logging in
 * as `user` on its login form, and returns the authorization response (the app's /callback URL, not
 * requested: the app need not run) with the PKCE verifier the code exchange needs.
 */
export async function authorizeAtDevProvider(
  dev: DevProvider,
  { user = alice, audience, scope = FULL_API_SCOPE, browser = new TestBrowser() }: AuthorizationOptions = {},
): Promise<{ callbackUrl: URL; codeVerifier: string; redirectUri: string }> {
  const callback = await redirectUri(dev);
  const codeVerifier = randomBytes(32).toString('base64url');
  const authorizeUrl = new URL('/authorize', dev.origin);
  const params = {
    client_id: dev.issuer.clientID,
    response_type: 'code',
    redirect_uri: callback,
    scope,
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(audience === undefined ? {} : { audience }),
  };
  for (const [name, value] of Object.entries(params)) authorizeUrl.searchParams.set(name, value);
  const appOrigin = callback.slice(0, -'/callback'.length);
  const callbackUrl = await authorize(browser, appOrigin, authorizeUrl, user);
  return { callbackUrl, codeVerifier, redirectUri: callback };
}

/** POSTs a form to the provider's token endpoint as the development client; the status and JSON body. */
export async function tokenRequest(
  dev: DevProvider,
  form: Record<string, string>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL('/oauth/token', dev.origin), {
    method: 'POST',
    headers: { authorization: clientAuthorization(dev), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * Tokens for a demo user from the development provider, through the real authorization code flow:
 * with `audience` set to `dev.managementAudience`, a JWT access token for the Management API and
 * (with offline_access) a refresh token. Throws when the provider grants no tokens.
 */
export async function tokensForDemoUser(dev: DevProvider, options: AuthorizationOptions = {}): Promise<TokenResponse> {
  const { callbackUrl, codeVerifier, redirectUri: callback } = await authorizeAtDevProvider(dev, options);
  const code = callbackUrl.searchParams.get('code');
  if (!code) throw new Error(`the provider granted no code: ${callbackUrl.searchParams.get('error') ?? 'no error'}`);
  const { status, body } = await tokenRequest(dev, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: callback,
    code_verifier: codeVerifier,
  });
  if (status !== 200) throw new Error(`the token endpoint answered ${status}: ${String(body.error)}`);
  return body as unknown as TokenResponse;
}

/** A refresh at the token endpoint (`grant_type=refresh_token`); the status and JSON body. */
export function refreshAtDevProvider(
  dev: DevProvider,
  refreshToken: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return tokenRequest(dev, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

/** Revokes a token at the provider's /oauth/revoke as the development client; the HTTP status. */
export async function revokeAtDevProvider(dev: DevProvider, token: string, hint = 'refresh_token'): Promise<number> {
  const response = await fetch(new URL('/oauth/revoke', dev.origin), {
    method: 'POST',
    headers: { authorization: clientAuthorization(dev), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, token_type_hint: hint }),
  });
  await response.arrayBuffer();
  return response.status;
}
