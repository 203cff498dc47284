import { createHash, randomBytes } from 'node:crypto';
import { authorizationParams } from '../sign-in/openid-options.js';
import { errorPageText, probe, readable, reasonOf, type ProbeAnswer } from './http-probe.js';

export type Verdict = { accepted: true; how: string } | { accepted: false; why: string };

/**
 * How a provider answers a browser it will not serve: an error page (any 4xx/5xx), a redirect
 * carrying `error` (Auth0 redirects to its /error page, or to a registered callback, with error and
 * error_description), or, rarely, a 200 page with the refusal explained. A login or logout page,
 * or a redirect without `error`, means the request was accepted. The provider's words come back
 * made safe for a terminal: bounded, without markup or control characters.
 */
export function judge(answer: ProbeAnswer, refusalWording: RegExp): Verdict {
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

export const mentionsClient = (why: string) => /client_id|unknown client|invalid_client|client not found/i.test(why);
export const CLIENT_ID_FIX =
  'check CLIENT_ID: copy the Client ID again from Auth0 (Applications > Applications > your app > Settings).';

/** One browser-like request (no cookies, redirects not followed); a string says why there was no answer. */
export async function ask(url: URL | string, timeoutMs: number): Promise<ProbeAnswer | string> {
  try {
    return await probe(url, { headers: { accept: 'text/html' } }, timeoutMs);
  } catch (error) {
    return `could not be reached: ${reasonOf(error)}`;
  }
}

/**
 * The first request of a sign-in, as /login sends it: the app's own parameters (the same function
 * builds them) plus what express-openid-connect adds, client_id, state, nonce and PKCE. Nothing is
 * signed in; the provider's half-started login expires.
 */
export function authorizationUrl(
  authorizationEndpoint: string,
  clientID: string,
  request: Parameters<typeof authorizationParams>[0],
): URL {
  const url = new URL(authorizationEndpoint);
  const verifier = randomBytes(32).toString('base64url');
  url.search = new URLSearchParams({
    ...authorizationParams(request),
    client_id: clientID,
    state: randomBytes(16).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  return url;
}
