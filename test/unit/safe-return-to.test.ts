import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../src/auth/safe-return-to.js';
import { FOREIGN_RETURN_TO } from '../support/open-redirects.js';

describe('safeReturnTo', () => {
  it.each(['/', '/profile', '/profile?tab=claims', '/a/b#c', '/sessions?x=%2F'])('keeps the same-site path %j', (path) => {
    expect(safeReturnTo(path)).toBe(path);
  });

  it.each([...FOREIGN_RETURN_TO, 'profile', '', '/%E0%A4%A'])('refuses %j', (candidate) => {
    expect(safeReturnTo(candidate)).toBe('/');
  });

  it('refuses values that are not strings', () => {
    expect(safeReturnTo(['/profile'])).toBe('/');
    expect(safeReturnTo(undefined)).toBe('/');
  });
});
