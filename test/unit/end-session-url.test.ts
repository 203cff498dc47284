import { describe, expect, it } from 'vitest';
import { buildEndSessionUrl } from '../../src/sign-in/end-session-url.js';

const base = { clientID: 'client-1', returnTo: 'http://localhost:3000', idTokenHint: 'id.token.hint' };

describe('buildEndSessionUrl', () => {
  it("uses Auth0's /v2/logout with returnTo and client_id for auth0.com issuers", () => {
    const url = new URL(
      buildEndSessionUrl({
        ...base,
        discovery: {
          issuer: 'https://tenant.eu.auth0.com/',
          jwks_uri: 'https://tenant.eu.auth0.com/.well-known/jwks.json',
        },
      }) ?? '',
    );
    expect(url.origin + url.pathname).toBe('https://tenant.eu.auth0.com/v2/logout');
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: 'client-1', returnTo: 'http://localhost:3000' });
  });

  it('uses the discovered end_session_endpoint elsewhere (RP-Initiated Logout)', () => {
    const discovery = {
      issuer: 'https://id.example/',
      jwks_uri: 'https://id.example/jwks',
      end_session_endpoint: 'https://id.example/oidc/logout',
    };
    const url = new URL(buildEndSessionUrl({ ...base, discovery }) ?? '');
    expect(url.origin + url.pathname).toBe('https://id.example/oidc/logout');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'client-1',
      post_logout_redirect_uri: 'http://localhost:3000',
      id_token_hint: 'id.token.hint',
    });
  });

  it('returns undefined when the provider offers no way to end its session', () => {
    expect(
      buildEndSessionUrl({
        ...base,
        discovery: { issuer: 'https://id.example/', jwks_uri: 'https://id.example/jwks' },
      }),
    ).toBeUndefined();
  });
});
