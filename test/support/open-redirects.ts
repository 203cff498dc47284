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
];
