import { buildEndSessionUrl } from '../sign-in/end-session-url.js';
import { callbackUrl } from '../sign-in/openid-options.js';
import type { CheckResult } from './checklist.js';
import type { ProviderEndpoints } from './discovery-checks.js';
import { ask, authorizationUrl, CLIENT_ID_FIX, judge, mentionsClient } from './provider-answers.js';

/**
 * Starts an authorization request as /login does for the profile alone (code flow, PKCE, state,
 * nonce) and looks only at the first answer.
 */
export async function checkCallbackUrl(
  endpoints: ProviderEndpoints,
  clientID: string,
  baseURL: string,
  timeoutMs: number,
): Promise<CheckResult> {
  // Without the API (AUDIENCE): an unknown audience would be refused with a redirect to this very
  // callback, and only the callback URL is judged here (the API has a check of its own).
  const url = authorizationUrl(endpoints.authorization_endpoint, clientID, {
    baseURL,
    api: { audience: undefined, scopes: [] },
  });
  const redirectUri = callbackUrl(baseURL);
  const title = 'Callback URL';
  const answer = await ask(url, timeoutMs);
  if (typeof answer === 'string')
    return {
      title,
      status: 'fail',
      detail: `the authorization endpoint ${answer}`,
      fix: 'check that this machine can reach the provider.',
    };
  const verdict = judge(answer, /callback url mismatch|not in the list of allowed callback/i);
  if (verdict.accepted)
    return {
      title,
      status: 'pass',
      detail: `${redirectUri} accepted by the authorization endpoint (it ${verdict.how})`,
    };
  return {
    title,
    status: 'fail',
    detail: `the authorization endpoint refused the sign-in request for ${redirectUri} (${verdict.why})`,
    fix: mentionsClient(verdict.why)
      ? CLIENT_ID_FIX
      : `add ${redirectUri} exactly (scheme, host, port, no trailing slash) to Allowed Callback URLs in Auth0 (Applications > Applications > your app > Settings > Application URIs), or register it as a redirect URI with your provider. Or correct BASE_URL if this is not where the app is reached. This is the "Callback URL mismatch" error.`,
  };
}

/**
 * Asks the provider to log out and come back to BASE_URL, with the URL the app's logout builds
 * (Auth0's /v2/logout, or the discovered end_session_endpoint). No session exists, so nothing
 * is logged out; only the return URL is judged.
 */
export async function checkLogoutUrl(
  endpoints: ProviderEndpoints,
  clientID: string,
  baseURL: string,
  timeoutMs: number,
): Promise<CheckResult> {
  const title = 'Logout URL';
  const url = buildEndSessionUrl({ discovery: endpoints, clientID, returnTo: baseURL });
  if (!url) {
    return {
      title,
      status: 'warn',
      detail: 'the provider publishes no end_session_endpoint, so logging out ends the session in this app only',
      fix: 'with an Auth0 custom domain, enable Tenant Settings > Advanced > "RP-Initiated Logout End Session Endpoint Discovery".',
    };
  }
  const answer = await ask(url, timeoutMs);
  if (typeof answer === 'string')
    return {
      title,
      status: 'fail',
      detail: `the logout endpoint ${answer}`,
      fix: 'check that this machine can reach the provider.',
    };
  const verdict = judge(answer, /is not defined as a valid url|not in the list of allowed logout/i);
  const endpoint = new URL(url);
  if (verdict.accepted)
    return {
      title,
      status: 'pass',
      detail: `${baseURL} accepted by ${endpoint.origin}${endpoint.pathname} (it ${verdict.how})`,
    };
  return {
    title,
    status: 'fail',
    detail: `${endpoint.origin}${endpoint.pathname} refused to return to ${baseURL} after logout (${verdict.why})`,
    fix: mentionsClient(verdict.why)
      ? CLIENT_ID_FIX
      : `add ${baseURL} exactly to Allowed Logout URLs in Auth0 (Applications > Applications > your app > Settings > Application URIs), or register it as a post-logout redirect URI with your provider. This is the "logout URL not allowed" error.`,
  };
}
