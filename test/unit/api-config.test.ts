import { describe, expect, it } from 'vitest';
import { DEFAULT_API_SCOPES, DEFAULT_ROLES_CLAIM, loadConfig } from '../../src/config.js';
import { auth0Env, problemsOf } from '../support/config-env.js';
import { requestedScope } from '../../src/sign-in/openid-options.js';
import { managementApiBase } from '../../src/sign-in/management-api.js';

const auth0 = auth0Env;

describe('calling an API as the user (AUDIENCE, SCOPE, ROLES_CLAIM)', () => {
  it('asks for the profile only, and keeps no token, when no audience is set', () => {
    const { api } = loadConfig(auth0);
    expect(api).toEqual({ audience: undefined, scopes: undefined, rolesClaim: DEFAULT_ROLES_CLAIM });
    expect(requestedScope(api)).toBe('openid profile email');
  });

  it("asks for offline_access and the Management API's scopes for an audience", () => {
    const { api } = loadConfig({ ...auth0, AUDIENCE: 'https://tenant.eu.auth0.com/api/v2/' });
    expect(requestedScope(api)).toBe(
      'openid profile email offline_access read:current_user update:current_user_metadata create:current_user_metadata',
    );
  });

  it('asks another API for no scope of its own unless SCOPE lists them', () => {
    const { api } = loadConfig({ ...auth0, AUDIENCE: 'https://api.example.com/' });
    expect(requestedScope(api)).toBe('openid profile email offline_access');
    expect(DEFAULT_API_SCOPES).toEqual([
      'read:current_user',
      'update:current_user_metadata',
      'create:current_user_metadata',
    ]);
  });

  it('replaces the default scopes with SCOPE, once each', () => {
    const { api } = loadConfig({
      ...auth0,
      AUDIENCE: 'https://api.example.com',
      SCOPE: ' read:things  read:things write:things ',
    });
    expect(api.scopes).toEqual(['read:things', 'write:things']);
  });

  it('refuses SCOPE without AUDIENCE with a real provider, and says what to do', () => {
    expect(problemsOf({ ...auth0, SCOPE: 'read:things' })).toEqual([
      expect.stringMatching(/^SCOPE is set but AUDIENCE is not: .*set AUDIENCE/),
    ]);
  });

  it('refuses scopes the app asks for itself, and characters no scope may have', () => {
    expect(problemsOf({ ...auth0, AUDIENCE: 'https://api.example.com', SCOPE: 'read:a offline_access' })).toEqual([
      "SCOPE lists offline_access, which the app always asks for itself: list only your API's scopes",
    ]);
    for (const scope of ['read:"a"', 'read\\a', 'a'.repeat(201)])
      expect(problemsOf({ ...auth0, AUDIENCE: 'https://api.example.com', SCOPE: scope })[0]).toMatch(/^SCOPE must be/);
  });

  it('refuses an audience or a roles claim with spaces', () => {
    expect(problemsOf({ ...auth0, AUDIENCE: 'my api' })[0]).toMatch(/^AUDIENCE must be the identifier of your API/);
    expect(problemsOf({ ...auth0, ROLES_CLAIM: 'my roles' })[0]).toMatch(/^ROLES_CLAIM must be a claim name/);
  });

  it('treats only a /api/v2/ audience as the Management API, and calls it at the issuer (custom domains)', () => {
    const tenant = 'https://tenant.eu.auth0.com/';
    const audience = 'https://tenant.eu.auth0.com/api/v2/';
    expect(managementApiBase(audience, tenant)).toBe(audience);
    expect(managementApiBase(audience, 'https://login.example.com/')).toBe('https://login.example.com/api/v2/');
    for (const other of ['https://api.example.com/', audience.slice(0, -1), `${audience}?x=1`, 'urn:my-api'])
      expect(managementApiBase(other, tenant)).toBeUndefined();
    expect(managementApiBase(undefined, tenant)).toBeUndefined();
  });
});
