import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../src/auth/safe-return-to.js';

describe('safeReturnTo', () => {
  it.each(['/', '/profile', '/profile?tab=claims', '/a/b#c', '/sessions?x=%2F'])('keeps the same-site path %j', (path) => {
    expect(safeReturnTo(path)).toBe(path);
  });

  it.each([
    'https://evil.example',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\/evil.example',
    '/%2F%2Fevil.example',
    '/%252F%252Fevil.example',
    '/%5Cevil.example',
    '%2F%2Fevil.example',
    'https:evil.example',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'http://app@evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/profile\r\nSet-Cookie: a=b',
    'profile',
    '',
    '/%E0%A4%A',
  ])('refuses %j', (candidate) => {
    expect(safeReturnTo(candidate)).toBe('/');
  });

  it('refuses values that are not strings', () => {
    expect(safeReturnTo(['/profile'])).toBe('/');
    expect(safeReturnTo(undefined)).toBe('/');
  });
});
