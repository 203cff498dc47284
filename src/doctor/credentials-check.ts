import { randomBytes } from 'node:crypto';
import type { CheckResult } from './checklist.js';
import { probe, readable, reasonOf } from './http-probe.js';

interface Client {
  tokenEndpoint: string;
  clientID: string;
  clientSecret: string;
  redirectUri: string;
}

const TITLE = 'Client credentials';
const CREDENTIALS_FIX =
  'copy the Client ID and Client Secret again from Auth0 (Applications > Applications > your app > Settings; no quotes or spaces). The application must be a Regular Web Application whose token endpoint authentication uses the client secret (Basic or Post), not None.';

/** RFC 6749 2.3.1: both halves are form-encoded before they are joined, as openid-client does. */
function basicAuthorization(clientID: string, clientSecret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientID)}:${encode(clientSecret)}`).toString('base64')}`;
}

function errorOf(body: string): { error?: string; description?: string } {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    return {
      ...(typeof parsed.error === 'string' ? { error: parsed.error } : {}),
      ...(typeof parsed.error_description === 'string' ? { description: readable(parsed.error_description) } : {}),
    };
  } catch {
    return {};
  }
}

/**
 * Redeems a deliberately bogus authorization code, authenticating exactly as the app does
 * (client_secret_basic). A provider checks the client before the code: `invalid_grant` means
 * the credentials were accepted and only the code was refused; `invalid_client` (Auth0: 401
 * `access_denied` "Unauthorized") means the credentials were not.
 */
export async function checkClientCredentials(
  { tokenEndpoint, clientID, clientSecret, redirectUri }: Client,
  timeoutMs: number,
): Promise<CheckResult> {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: `doctor-bogus-${randomBytes(16).toString('hex')}`,
    redirect_uri: redirectUri,
    code_verifier: randomBytes(32).toString('base64url'),
  });
  let status: number;
  let body: string;
  try {
    ({ status, body } = await probe(
      tokenEndpoint,
      {
        method: 'POST',
        headers: {
          authorization: basicAuthorization(clientID, clientSecret),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form,
      },
      timeoutMs,
    ));
  } catch (error) {
    return {
      title: TITLE,
      status: 'fail',
      detail: `the token endpoint ${tokenEndpoint} could not be reached: ${reasonOf(error)}`,
      fix: 'check that this machine can reach the provider.',
    };
  }
  const { error, description } = errorOf(body);
  const answer = `HTTP ${status}${error ? ` ${error}` : ''}${description ? ` "${description}"` : ''}`;
  if (error === 'invalid_grant') {
    return {
      title: TITLE,
      status: 'pass',
      detail: `CLIENT_ID and CLIENT_SECRET accepted (the token endpoint refused only a made-up code: ${answer})`,
    };
  }
  if (error === 'unauthorized_client' || error === 'unsupported_grant_type') {
    return {
      title: TITLE,
      status: 'fail',
      detail: `the application may not use the authorization code grant (${answer})`,
      fix: 'in Auth0, Applications > your app > Settings > Advanced Settings > Grant Types: enable Authorization Code.',
    };
  }
  if (status === 401 || error === 'invalid_client' || error === 'access_denied') {
    return {
      title: TITLE,
      status: 'fail',
      detail: `the token endpoint refused CLIENT_ID/CLIENT_SECRET (${answer})`,
      fix: CREDENTIALS_FIX,
    };
  }
  return {
    title: TITLE,
    status: 'fail',
    detail: `unexpected answer from the token endpoint (${answer})`,
    fix: CREDENTIALS_FIX,
  };
}
