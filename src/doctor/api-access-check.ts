import type { AppConfig } from '../config.js';
import { isManagementApiAudience } from '../sign-in/management-api.js';
import { requestedApiScopes, requestedScope } from '../sign-in/openid-options.js';
import type { CheckResult } from './checklist.js';
import type { ProviderEndpoints } from './discovery-checks.js';
import { ask, authorizationUrl, CLIENT_ID_FIX, judge, mentionsClient } from './provider-answers.js';

const TITLE = 'API access';
/** How Auth0 (and the embedded provider) refuse an API before anyone signs in. */
const REFUSAL = /service not found|not authorized to access|invalid_scope/i;

/** What to change, from the words of the refusal (Auth0's own, or the OAuth error code). */
function fixFor(why: string, audience: string, scopes: readonly string[]): string {
  const list = scopes.join(' ');
  const managementApi = isManagementApiAudience(audience)
    ? " For Auth0's Management API the application must be first-party: Auth0 gives third-party applications no Management API token for a user."
    : '';
  // Auth0: access_denied "Service not found: {audience}".
  if (/service not found/i.test(why))
    return `create the API in Auth0 (Applications > APIs > Create API) with the identifier ${audience} exactly${list ? `, and allow this application to request its scopes (${list})` : ''}; or set AUDIENCE to the identifier of an existing API (Auth0's Management API is https://YOUR_TENANT.auth0.com/api/v2/, trailing slash included).`;
  // Auth0: Client "{id}" is not authorized to access resource server "{audience}".
  if (/not authorized to access/i.test(why))
    return `allow this application to call the API for its users: Auth0 > Applications > APIs > the API ${audience} > Application Access, authorize this application for user access${list ? ` with the scopes ${list}` : ''} (or set the API's user access policy to Allow).${managementApi}`;
  if (/invalid_scope/i.test(why) && list)
    return `define the scopes ${list} on the API (Auth0 > Applications > APIs > the API ${audience} > Permissions), or set SCOPE to scopes it defines.`;
  if (mentionsClient(why)) return CLIENT_ID_FIX;
  return `check AUDIENCE (${audience}) and SCOPE (${list || 'unset'}) against the API in Auth0 (Applications > APIs), and the Callback URL check above.${managementApi}`;
}

/**
 * Starts a sign-in exactly as /login does with an API configured (its audience, offline_access and
 * its scopes) and looks at the first answer only: no user, no cookies, no login. Auth0 refuses an
 * unknown audience, or an application the API does not allow, by redirecting to the callback with
 * `error`; otherwise it shows its login page. Scopes the API does not grant are dropped silently
 * (the token lacks them), so they cannot be seen here.
 */
export async function checkApiAccess(
  endpoints: ProviderEndpoints,
  clientID: string,
  { baseURL, api }: { baseURL: string; api: Pick<AppConfig['api'], 'audience' | 'scopes'> & { audience: string } },
  timeoutMs: number,
): Promise<CheckResult> {
  const answer = await ask(authorizationUrl(endpoints.authorization_endpoint, clientID, { baseURL, api }), timeoutMs);
  if (typeof answer === 'string')
    return {
      title: TITLE,
      status: 'fail',
      detail: `the authorization endpoint ${answer}`,
      fix: 'check that this machine can reach the provider.',
    };
  const verdict = judge(answer, REFUSAL);
  const request = `audience ${api.audience} with scope "${requestedScope(api)}"`;
  if (verdict.accepted)
    return {
      title: TITLE,
      status: 'pass',
      // Auth0 leaves scopes the API does not grant out of the token without a word: not seen here.
      detail: `the provider accepts a sign-in for the ${request} (it ${verdict.how}); scopes it does not grant are left out of the token, not refused`,
    };
  return {
    title: TITLE,
    status: 'fail',
    detail: `the provider refused a sign-in for the ${request}: "${verdict.why}"`,
    fix: fixFor(verdict.why, api.audience, requestedApiScopes(api)),
  };
}
