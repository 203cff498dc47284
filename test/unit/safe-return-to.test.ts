import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../src/sign-in/safe-return-to.js';
import { FOREIGN_RETURN_TO, returnToCandidates } from '../support/open-redirects.js';

const BASE_URL = 'https://app.example.com';
const BASES = [BASE_URL, 'http://localhost:3000', 'https://app.example.com/mounted/here'];

describe('safeReturnTo', () => {
  it.each(['/', '/profile', '/profile?tab=claims', '/a/b#c', '/sessions?x=%2F', '/a/b/../c?d=/e'])(
    'keeps the same-site path %j',
    (path) => {
      expect(safeReturnTo(path, BASE_URL)).toBe(path.replace('/b/../', '/'));
    },
  );

  it.each([...FOREIGN_RETURN_TO, 'profile', '', '/%E0%A4%A', `/${'a'.repeat(2048)}`])('refuses %j', (candidate) => {
    expect(safeReturnTo(candidate, BASE_URL)).toBe('/');
  });

  it('refuses values that are not strings', () => {
    expect(safeReturnTo(['/profile'], BASE_URL)).toBe('/');
    expect(safeReturnTo(undefined, BASE_URL)).toBe('/');
  });

  it('refuses an absolute URL, even one of this site', () => {
    expect(safeReturnTo(`${BASE_URL}/profile`, BASE_URL)).toBe('/');
  });

  describe('for any string', () => {
    it('returns a path that a browser resolves to the origin of BASE_URL, never one starting with // or /\\', () => {
      fc.assert(
        fc.property(returnToCandidates(), fc.constantFrom(...BASES), (candidate, base) => {
          const safe = safeReturnTo(candidate, base);
          expect(new URL(safe, base).origin).toBe(new URL(base).origin);
          expect(safe).toMatch(/^\/(?![/\\])/);
        }),
        { numRuns: 5000 },
      );
    });

    it('stays on the site once percent-decoded, once or twice (a proxy or server may decode it again)', () => {
      fc.assert(
        fc.property(returnToCandidates(), (candidate) => {
          let safe = safeReturnTo(candidate, BASE_URL);
          for (let round = 0; round < 2; round += 1) {
            safe = decodeURIComponent(safe);
            expect(new URL(safe, BASE_URL).origin).toBe(BASE_URL);
            expect(new URL(safe, BASE_URL).pathname).toMatch(/^\/(?!\/)/);
          }
        }),
        { numRuns: 5000 },
      );
    });

    it('keeps what it returned: a safe path passes again unchanged', () => {
      fc.assert(
        fc.property(returnToCandidates(), (candidate) => {
          const safe = safeReturnTo(candidate, BASE_URL);
          fc.pre(safe.length <= 2048);
          expect(safeReturnTo(safe, BASE_URL)).toBe(safe);
        }),
        { numRuns: 5000 },
      );
    });
  });
});
