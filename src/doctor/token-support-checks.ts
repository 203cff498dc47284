import type { CheckResult } from './checklist.js';
import type { ProviderEndpoints } from './discovery-checks.js';

/**
 * With an API the app asks for `offline_access`, so that the access token can be renewed without
 * the user. A provider that lists its scopes but not this one will likely issue no refresh token.
 */
export function checkRefreshTokens({ scopes_supported: scopes }: ProviderEndpoints): CheckResult {
  const title = 'Refresh tokens';
  if (scopes === undefined)
    return {
      title,
      status: 'skip',
      detail: 'the provider publishes no scopes_supported, so whether it issues refresh tokens shows only at sign-in',
    };
  if (scopes.includes('offline_access'))
    return {
      title,
      status: 'pass',
      detail: 'the provider lists offline_access, the scope sign-ins ask for to get a refresh token',
    };
  return {
    title,
    status: 'warn',
    detail:
      "the provider's scopes_supported does not list offline_access: without a refresh token, users are sent back to the login page whenever their access token expires",
    fix: 'in Auth0, enable Allow Offline Access on the API (Applications > APIs > your API > Settings > Access Settings) and the Refresh Token grant on the application (Applications > your app > Settings > Advanced Settings > Grant Types); with another provider, allow the offline_access scope for this client.',
  };
}

/** Logout, "end session" and back-channel logout revoke the refresh token there (RFC 7009). */
export function checkRevocation({ revocation_endpoint: endpoint }: ProviderEndpoints): CheckResult {
  const title = 'Token revocation';
  if (endpoint)
    return {
      title,
      status: 'pass',
      detail: `the provider publishes a revocation_endpoint (${endpoint}): logging out revokes the refresh token`,
    };
  return {
    title,
    status: 'warn',
    detail:
      'the provider publishes no revocation_endpoint: refresh tokens cannot be revoked at logout, and stay usable until they expire',
    fix: 'Auth0 publishes one (https://YOUR_TENANT.auth0.com/oauth/revoke): check ISSUER_BASE_URL. With another provider, enable token revocation (RFC 7009), or keep refresh-token lifetimes short.',
  };
}
