/**
 * The embedded provider's `fetch` (oidc-provider's `fetch` option). oidc-provider 9.7+ refuses
 * outgoing requests to loopback and private addresses (its SSRF guard is the `dispatcher` it
 * passes in), which would block its back-channel logout POSTs to this app on localhost. This
 * lifts the guard for one destination only, the app's own /backchannel-logout, and keeps it for
 * everything else. Development and tests only: the real provider (Auth0) never runs this code.
 */
export function devProviderFetch(
  appBaseURL: string,
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  const allowed = new URL(`${appBaseURL}/backchannel-logout`).href;
  return (input, init) => {
    const target = input instanceof Request ? input.url : new URL(input).href;
    if (target !== allowed || !init) return globalThis.fetch(input, init);
    const { dispatcher: _ssrfGuard, ...rest } = init as RequestInit & { dispatcher?: unknown };
    return globalThis.fetch(input, rest);
  };
}
