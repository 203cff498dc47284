import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { sessionIdSigner } from '../../src/auth/session-id.js';
import { dropForgedSessionCookie } from '../../src/middleware/drop-forged-session-cookie.js';

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

describe('dropForgedSessionCookie', () => {
  const signer = sessionIdSigner([current]);
  const guard = dropForgedSessionCookie('session', signer, { secure: false });
  const cleared: string[] = [];

  function cookieHeaderAfter(cookie: string): string | undefined {
    const req = { headers: { cookie } } as unknown as Request;
    const res = { clearCookie: (name: string) => cleared.push(name) } as unknown as Response;
    let called = false;
    cleared.length = 0;
    guard(req, res, () => (called = true));
    expect(called).toBe(true);
    return req.headers.cookie;
  }

  it('leaves a correctly signed session cookie and the other cookies alone', () => {
    const header = `theme=dark; session=${signer.generate()}; auth_verification=abc`;
    expect(cookieHeaderAfter(header)).toBe(header);
    expect(cleared).toEqual([]);
  });

  it('removes a forged session cookie, keeping the others', () => {
    expect(cookieHeaderAfter(`theme=dark; session=${'0'.repeat(32)}.forged; auth_verification=abc`)).toBe('theme=dark; auth_verification=abc');
    expect(cleared).toEqual(['session']);
  });

  it('judges the first copy, as the library reads it, and drops every copy when it is forged', () => {
    const valid = signer.generate();
    expect(cookieHeaderAfter(`session=forged; session=${valid}`)).toBe('');
    expect(cookieHeaderAfter(`session=${valid}; session=forged`)).toBe(`session=${valid}; session=forged`);
  });

  it('does nothing without a session cookie', () => {
    expect(cookieHeaderAfter('theme=dark')).toBe('theme=dark');
  });
});
