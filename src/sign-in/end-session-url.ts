import type { DiscoveryDocument } from './provider-metadata.js';

interface EndSessionInput {
  discovery: DiscoveryDocument;
  clientID: string;
  /** Where the provider sends the browser back to: must be registered there (Auth0: Allowed Logout URLs). */
  returnTo: string;
  idTokenHint?: string;
}

/**
 * The URL that ends the visitor's session at the provider and comes back to `returnTo`:
 * Auth0's /v2/logout for *.auth0.com issuers, else the discovered end_session_endpoint
 * (RP-Initiated Logout 1.0). Undefined when the provider offers neither: logout is then local only.
 */
export function buildEndSessionUrl({
  discovery,
  clientID,
  returnTo,
  idTokenHint,
}: EndSessionInput): string | undefined {
  const issuer = new URL(discovery.issuer);
  if (issuer.hostname.endsWith('.auth0.com')) {
    const url = new URL('/v2/logout', issuer);
    url.searchParams.set('client_id', clientID);
    url.searchParams.set('returnTo', returnTo);
    return url.href;
  }
  if (!discovery.end_session_endpoint) return undefined;
  const url = new URL(discovery.end_session_endpoint);
  url.searchParams.set('client_id', clientID);
  url.searchParams.set('post_logout_redirect_uri', returnTo);
  if (idTokenHint) url.searchParams.set('id_token_hint', idTokenHint);
  return url.href;
}
