import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../src/sign-in/safe-return-to.js';

/*
 * safeReturnTo against the URL standard rather than Node's parser (found by attacking it: each of
 * these failed on its first version).
 */

const BASE_URL = 'https://app.example.com';
const BASES = [BASE_URL, 'http://localhost:3000', 'https://app.example.com/mounted/here'];

/**
 * A dot segment as the URL standard spells it: "." or ".." with any of their dots written %2e.
 * A resolved URL never has one left in its path (the standard removes every one).
 */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * Paths made of segments, weighted towards the shape that Node 20's URL parser (ada 2.9) gets wrong:
 * a segment that starts with "." but is not a dot segment (".b", ".well-known"), followed by dot
 * segments. Chromium, like the URL standard, still removes those dot segments.
 */
const segmentPaths = fc
  .array(fc.constantFrom('x', 'profile', '.b', '.well-known', '..', '.', '%2e%2e', '', 'evil.example'), {
    minLength: 1,
    maxLength: 8,
  })
  .map((segments) => `/${segments.join('/')}`);

describe('safeReturnTo, against the URL standard', () => {
  it('refuses /x/.b/../..//evil.example, which a browser resolves to the path //evil.example', () => {
    // Chromium (and the URL standard): https://app.example.com//evil.example. Node 20 leaves the
    // path unresolved, so neither the "//" check nor the decoding loop ever sees "//evil.example".
    expect(safeReturnTo('/x/.b/../..//evil.example', BASE_URL)).toBe('/');
  });

  it('never returns a path that still holds a dot segment (one the browser would remove before following it)', () => {
    fc.assert(
      fc.property(segmentPaths, fc.constantFrom(...BASES), (candidate, base) => {
        const safe = safeReturnTo(candidate, base);
        const pathname = safe.replace(/[?#].*$/s, '');
        expect(pathname.split('/').filter((segment) => DOT_SEGMENT.test(segment))).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });

  it('never returns a value longer than the 2048 characters it accepts (what it returns is stored in the state and sent in the authorization URL)', () => {
    // Each of these characters comes out percent-encoded, three to twelve characters for one.
    const widened = fc.constantFrom('é', '\u{1F600}', '"', '<', '`', '{');
    fc.assert(
      fc.property(widened, fc.integer({ min: 1, max: 1000 }), (character, count) => {
        expect(safeReturnTo(`/${character.repeat(count)}`, BASE_URL).length).toBeLessThanOrEqual(2048);
      }),
      { numRuns: 200 },
    );
  });
});
