import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { rememberedIds, sessionIdSigner as signerOf } from '../../src/sessions/session-id.js';
import { deriveSecretKeys } from '../../src/sessions/session-keys.js';

const sessionIdSigner = (secrets: string[], remembered?: ReturnType<typeof rememberedIds>) =>
  signerOf(deriveSecretKeys(secrets), remembered);

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
    [
      'a signature spelled differently but decoding to the same bytes',
      (value: string) => {
        const last = value.at(-1) ?? 'A';
        const index = BASE64URL.indexOf(last);
        return `${value.slice(0, -1)}${BASE64URL[index ^ 1] ?? 'A'}`;
      },
    ],
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
    expect(sessionIdSigner([current, previous]).generate()).toSatisfy((value: string) =>
      sessionIdSigner([current]).verify(value),
    );
  });
});
describe('the memory of verified session ids', () => {
  it('still accepts an id it remembers, and remembers it once', () => {
    const remembered = rememberedIds(10);
    const signer = sessionIdSigner([current], remembered);
    const id = signer.generate();
    expect(signer.verify(id)).toBe(true);
    expect(remembered.has(id)).toBe(true);
    expect(signer.verify(id)).toBe(true);
    expect(remembered.size).toBe(1);
  });

  it('never remembers a value that failed, however often it comes back', () => {
    const remembered = rememberedIds(10);
    const signer = sessionIdSigner([current], remembered);
    const forged = `${signer.generate().slice(0, -1)}!`;
    const otherSecret = sessionIdSigner([previous]).generate();
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(signer.verify(forged)).toBe(false);
      expect(signer.verify(otherSecret)).toBe(false);
    }
    expect(remembered.size).toBe(0);
  });

  it('stays within its bound, and every id still verifies once forgotten', () => {
    const remembered = rememberedIds(3);
    const signer = sessionIdSigner([current], remembered);
    const ids = Array.from({ length: 10 }, () => signer.generate());
    for (const id of ids) {
      expect(signer.verify(id)).toBe(true);
      expect(remembered.size).toBeLessThanOrEqual(3);
    }
    expect(ids.filter((id) => remembered.has(id)).length).toBeGreaterThan(0);
    expect(ids.map((id) => signer.verify(id))).toEqual(ids.map(() => true));
    expect(remembered.size).toBeLessThanOrEqual(3);
  });

  it('keeps only the id, not the whole Cookie header it was cut from', () => {
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    const remembered = rememberedIds(1000);
    const signer = sessionIdSigner([current], remembered);
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    for (let count = 0; count < 200; count++) {
      const header = `theme=${'x'.repeat(64 * 1024)}${count}; session=${signer.generate()}`;
      expect(signer.verify(header.slice(header.indexOf('session=') + 8))).toBe(true);
    }
    collectGarbage();
    // 200 headers of 64 KB would be 13 MB; 200 ids are about 30 KB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(2 * 1024 * 1024);
    expect(remembered.size).toBe(200);
  });

  it('keeps accepting every secret while SECRET is rotated, remembered or not', () => {
    const rotating = sessionIdSigner([current, previous], rememberedIds(10));
    const old = sessionIdSigner([previous]).generate();
    expect([rotating.verify(old), rotating.verify(old)]).toEqual([true, true]);
    expect(sessionIdSigner([current], rememberedIds(10)).verify(old)).toBe(false);
  });
});

describe('the storage key of a session id', () => {
  it('is a keyed hash: neither the id nor the cookie value, and the same for the same id', () => {
    const signer = sessionIdSigner([current]);
    const value = signer.generate();
    const key = signer.storageKeyOf(value) ?? '';
    expect(key).toMatch(/^[\w-]{43}$/);
    expect(key).not.toContain(value.slice(0, 32));
    expect(key).not.toBe(value.split('.')[1]);
    expect(sessionIdSigner([current]).storageKeyOf(value)).toBe(key);
    expect(sessionIdSigner(['x'.repeat(32), current]).storageKeyOf(value)).toBe(key);
  });

  it('stays the same through a rotation, because it follows the secret that signed the cookie', () => {
    const old = sessionIdSigner([previous]).generate();
    const before = sessionIdSigner([previous]).storageKeyOf(old);
    expect(sessionIdSigner([current, previous]).storageKeyOf(old)).toBe(before);
    expect(sessionIdSigner([current]).storageKeyOf(old)).toBeUndefined();
  });

  it('is undefined for a value the app did not sign', () => {
    expect(sessionIdSigner([current]).storageKeyOf(`${'0'.repeat(32)}.${'A'.repeat(43)}`)).toBeUndefined();
  });
});
