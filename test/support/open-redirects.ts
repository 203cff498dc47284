import fc from 'fast-check';

/**
 * Return-to values that would lead a browser off this site (or inject a header); each must fall
 * back to "/". Shared by the unit test of safeReturnTo and the integration test of /login.
 */
export const FOREIGN_RETURN_TO = [
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
  // Dot segments: the browser removes them before it follows the URL, leaving "//evil.example".
  '/.//evil.example',
  '/..//evil.example',
  '/profile/..//evil.example',
  '/./\\evil.example',
  '/.\\/evil.example',
  '/%2e//evil.example',
  '/%2E%2E//evil.example',
  '/.%2e//evil.example',
  '/%2e%2e%2f%2fevil.example',
  '/./%2F/evil.example',
];

/** Pieces that open redirects are made of: separators, dots, encodings, schemes, hosts. */
const HOSTILE_PIECES = [
  '/',
  '\\',
  '.',
  '..',
  '%2F',
  '%2f',
  '%5C',
  '%5c',
  '%2e',
  '%2E',
  '%252F',
  '%255C',
  '%09',
  '%0A',
  '\t',
  '\n',
  '\r',
  ':',
  '@',
  '?',
  '#',
  '%',
  ' ',
  'evil.example',
  'https:',
  'http:',
  'javascript:',
  '//',
  '\u3002',
  '\uff0f',
  '\uff3c',
  '\u2215',
  'é',
  'profile',
];

const pieces = fc.array(fc.constantFrom(...HOSTILE_PIECES), { maxLength: 12 }).map((parts) => parts.join(''));

/**
 * Any string a visitor could send as a return-to value, weighted towards the ones built from
 * {@link HOSTILE_PIECES} (half of those start with "/", to get past the first check).
 * `wellFormed` leaves out lone surrogates, which no URL can carry.
 */
export function returnToCandidates({ wellFormed = false } = {}): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: pieces, weight: 3 },
    { arbitrary: pieces.map((rest) => `/${rest}`), weight: 3 },
    { arbitrary: fc.string(), weight: 1 },
    { arbitrary: fc.string({ unit: 'grapheme' }), weight: 1 },
    { arbitrary: fc.string({ unit: wellFormed ? 'grapheme-composite' : 'binary' }), weight: 1 },
  );
}
