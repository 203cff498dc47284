import { describe, expect, it } from 'vitest';
import { sessionIdSigner } from '../../src/auth/session-id.js';

const current = 'c'.repeat(32);
const previous = 'p'.repeat(32);
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('sessionIdSigner', () => {
  const signer = sessionIdSigner([current]);

  it('makes a new 128-bit id with its signature each time', () => {
    const first = signer.generate();
    expect(first).toMatch(/^[0-9a-f]{32}\.[\w-]{43}$/);
    expect(signer.generate()).not.toBe(first);
    expect(signer.verify(first)).toBe(true);
  });

  it.each([
    ['a changed id', (value: string) => `${value[0] === '0' ? '1' : '0'}${value.slice(1)}`],
    ['a changed signature', (value: string) => `${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`],
    // The last of 43 base64url characters carries 4 bits and 2 unused ones: A and B decode alike.
    ['a signature spelled differently but decoding to the same bytes', (value: string) => {
      const last = value.at(-1) ?? 'A';
      const index = BASE64URL.indexOf(last);
      return `${value.slice(0, -1)}${BASE64URL[index ^ 1] ?? 'A'}`;
    }],
    ['a signature with a stray character', (value: string) => `${value.slice(0, 40)}!${value.slice(40, -1)}`],
    ['no signature', (value: string) => value.slice(0, 32)],
    ['a truncated signature', (value: string) => value.slice(0, -4)],
    ['an extra character', (value: string) => `${value}A`],
    ['nothing', () => ''],
  ])('refuses %s', (_case, tamper) => {
    expect(signer.verify(tamper(signer.generate()))).toBe(false);
  });

  it('accepts ids signed with an older secret while SECRET is rotated, and only then', () => {
    const old = sessionIdSigner([previous]).generate();
    expect(sessionIdSigner([current, previous]).verify(old)).toBe(true);
    expect(sessionIdSigner([current]).verify(old)).toBe(false);
    expect(sessionIdSigner([current, previous]).generate()).toSatisfy((value: string) => sessionIdSigner([current]).verify(value));
  });
});
