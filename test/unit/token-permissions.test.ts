import fc from 'fast-check';
import { UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { permissionsOf } from '../../src/sign-in/token-client.js';

/** An access token with these claims; permissionsOf reads a token the token endpoint sent, unverified. */
const tokenWith = (claims: Record<string, unknown>) => new UnsecuredJWT(claims).encode();

describe('permissionsOf', () => {
  it("reads an Auth0 RBAC token's permissions, and none from an opaque token", () => {
    expect(permissionsOf(tokenWith({ permissions: ['read:reports', 'delete:users'] }))).toEqual([
      'read:reports',
      'delete:users',
    ]);
    expect(permissionsOf('opaque-token')).toBeUndefined();
    expect(permissionsOf(tokenWith({ permissions: 'read:reports' }))).toBeUndefined();
  });

  it('keeps at most 200 permissions of at most 200 characters each, as the roles claim is bounded', () => {
    const padded = tokenWith({
      permissions: ['a'.repeat(100_000), 'read:reports', '', ...Array.from({ length: 1000 }, (_, i) => `p:${i}`)],
    });
    const kept = permissionsOf(padded) ?? [];
    expect(kept).toHaveLength(200);
    expect(kept[0]).toBe('read:reports');
    expect(Math.max(...kept.map((permission) => permission.length))).toBeLessThanOrEqual(200);
  });

  it('never throws and only ever returns short strings, whatever the token holds', () => {
    fc.assert(
      fc.property(fc.anything(), (permissions) => {
        const kept = permissionsOf(tokenWith({ permissions }));
        for (const permission of kept ?? []) {
          expect(typeof permission).toBe('string');
          expect(permission.length).toBeGreaterThan(0);
          expect(permission.length).toBeLessThanOrEqual(200);
        }
      }),
      { numRuns: 300 },
    );
  });
});
