import { describe, expect, it } from 'vitest';
import { claimsOf, equals, includes, type ClaimsRule } from '../../src/middleware/require-claims.js';
import { userProfile } from '../../src/sign-in/user-profile.js';

/** Whether the rule lets a user with this profile and these roles and permissions through. */
function allows(rule: ClaimsRule, access?: { roles?: string[]; permissions?: string[] }, extra = {}): boolean {
  const claims = claimsOf(
    access && userProfile({ sub: 'auth0|1', email: 'a@example.com', scope: 'a b', ...extra }, access),
  );
  return claims !== undefined && rule(claims);
}

describe('claim rules', () => {
  it('lets a user with the role through, and not one without it', () => {
    const admins = includes('roles', 'admin');
    expect(allows(admins, { roles: ['editor', 'admin'] })).toBe(true);
    expect(allows(admins, { roles: ['editor'] })).toBe(false);
    expect(allows(admins, {})).toBe(false);
  });

  it('has no claims for a visitor who is not signed in', () => {
    expect(claimsOf(undefined)).toBeUndefined();
  });

  it('needs every value listed, in arrays and in space-separated strings', () => {
    expect(allows(includes('permissions', 'read:a', 'write:a'), { permissions: ['read:a', 'write:a'] })).toBe(true);
    expect(allows(includes('permissions', 'read:a', 'write:a'), { permissions: ['read:a'] })).toBe(false);
    expect(allows(includes('scope', 'a', 'b'), {})).toBe(true);
    expect(allows(includes('scope', 'c'), {})).toBe(false);
    expect(allows(includes('missing', 'x'), {})).toBe(false);
  });

  it('compares claims exactly', () => {
    expect(allows(equals('email', 'a@example.com'), {})).toBe(true);
    expect(allows(equals('email', 'A@example.com'), {})).toBe(false);
  });

  it('does not let a profile claim named roles stand in for the roles from the ID token', () => {
    expect(allows(includes('roles', 'admin'), {}, { roles: ['admin'] })).toBe(false);
    expect(allows(includes('permissions', 'x'), {}, { permissions: ['x'] })).toBe(false);
  });
});
