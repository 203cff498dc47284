import { createHash, randomBytes } from 'node:crypto';
import { buildEndSessionUrl } from '../sign-in/end-session-url.js';
import type { CheckResult } from './checklist.js';
import type { ProviderEndpoints } from './discovery-checks.js';
import { errorPageText, probe, readable, reasonOf, type ProbeAnswer } from './http-probe.js';

type Verdict = { accepted: true; how: string } | { accepted: false; why: string };

/**
 * How a provider answers a browser it will not send back: an error page (any 4xx/5xx), a
 * redirect carrying `error` (Auth0 redirects to its /error page with error and
 * error_description), or, rarely, a 200 page with the mismatch explained. A login or logout
 * page, or a redirect without `error`, means the URL was accepted.
 */
function judge(answer: ProbeAnswer, refusalWording: RegExp): Verdict {
  const { status, location, body } = answer;
  if (status >= 300 && status < 400 && location) {
    const error = location.searchParams.get('error');
    if (error)
      return { accepted: false, why: readable(`${error}: ${location.searchParams.get('error_description') ?? ''}`) };
    return { accepted: true, how: `redirects to ${location.origin}${location.pathname}` };
  }
  if (status >= 200 && status < 300 && !refusalWording.test(body))
    return { accepted: true, how: `shows a page (HTTP ${status})` };
  return { accepted: false, why: `HTTP ${status}${body ? `: ${errorPageText(body)}` : ''}` };
}

const mentionsClient = (why: string) => /client_id|unknown client|invalid_client|client not found/i.test(why);
const CLIENT_ID_FIX =
  'check CLIENT_ID: copy the Client ID again from Auth0 (Applications > Applications > your app > Settings).';

async function ask(url: URL | string, timeoutMs: number): Promise<ProbeAnswer | string> {
  try {
    return await probe(url, { headers: { accept: 'text/html' } }, timeoutMs);
  } catch (error) {
    return `could not be reached: ${reasonOf(error)}`;
  }
}

/**
 * Starts an authorization request exactly as /login does (code flow, PKCE, state, nonce) and
 * looks only at the first answer. Nothing is signed in; the provider's half-started login expires.
 */
export async function checkCallbackUrl(
  endpoints: ProviderEndpoints,
  clientID: string,
  baseURL: string,
  timeoutMs: number,
): Promise<CheckResult> {
  const redirectUri = `${baseURL}/callback`;
  const url = new URL(endpoints.authorization_endpoint);
  const verifier = randomBytes(32).toString('base64url');
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientID,
    redirect_uri: redirectUri,
    scope: 'openid profile email',
    state: randomBytes(16).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
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
