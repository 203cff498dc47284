import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveSecretKeys } from '../../src/sessions/session-keys.js';
import { sessionSeal, type SessionContent } from '../../src/sessions/session-seal.js';

const content: SessionContent = {
  header: { iat: 1, uat: 2, exp: 3 },
  data: { id_token: 'a.b.c', userinfo: { sub: 'auth0|x', email: 'alice@example.com' } },
};
const [a, b] = ['a'.repeat(32), 'b'.repeat(32)];

describe('sessionSeal', () => {
  const seal = sessionSeal(deriveSecretKeys([a]));

  it('opens what it sealed, for the same storage key only', () => {
    const sealed = seal.seal('key-1', content);
    expect(seal.open('key-1', sealed)).toEqual(content);
    expect(seal.open('key-2', sealed)).toBeUndefined();
  });

  it('shows nothing of the session in what it stores, and never the same text twice', () => {
    const sealed = seal.seal('key-1', content);
    expect(sealed).not.toMatch(/alice|auth0|a\.b\.c|iat/);
    expect(seal.seal('key-1', content)).not.toBe(sealed);
  });

  it('refuses anything changed: any character of the sealed text, or its key id', () => {
    const sealed = seal.seal('key-1', content);
    fc.assert(
      fc.property(
        fc.nat({ max: sealed.length - 1 }),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.'.split('')),
        (position, replacement) => {
          const changed = `${sealed.slice(0, position)}${replacement}${sealed.slice(position + 1)}`;
          // The last base64url character carries unused bits: a change there may decode to the same bytes.
          const sameBytes =
            Buffer.from(changed.split('.')[1] ?? '', 'base64url').equals(
              Buffer.from(sealed.split('.')[1] ?? '', 'base64url'),
            ) && changed.split('.')[0] === sealed.split('.')[0];
          expect(seal.open('key-1', changed)).toEqual(changed === sealed || sameBytes ? content : undefined);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('opens with every secret of a rotation and seals with the first', () => {
    const old = sessionSeal(deriveSecretKeys([a])).seal('k', content);
    const rotated = sessionSeal(deriveSecretKeys([b, a]));
    expect(rotated.open('k', old)).toEqual(content);
    const resealed = rotated.seal('k', content);
    expect(resealed.split('.')[0]).not.toBe(old.split('.')[0]);
    expect(sessionSeal(deriveSecretKeys([b])).open('k', resealed)).toEqual(content);
    expect(sessionSeal(deriveSecretKeys([b])).open('k', old)).toBeUndefined();
  });

  it.each([
    ['a record of an earlier version (plain JSON)', JSON.stringify(content)],
    ['an empty text', ''],
    ['a key id alone', 'abcdefgh.'],
    ['garbage after a known key id', `${deriveSecretKeys([a])[0]?.id ?? ''}.AAAA`],
  ])('reads %s as no session', (_case, stored) => {
    expect(seal.open('k', stored)).toBeUndefined();
  });
});
