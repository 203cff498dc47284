import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_INFO = 'session id signature';
const SIGNATURE_LENGTH = 43; // base64url of a SHA-256 HMAC

export interface SessionIdSigner {
  /** A new session id: 128 random bits and their HMAC, `<32 hex>.<43 base64url>`. */
  generate: () => string;
  /** True when `value` is an id this app signed with one of its secrets. */
  verify: (value: string) => boolean;
}

/**
 * Session ids that carry their own signature, checked with a synchronous HMAC before anything
 * looks the session up. express-openid-connect can sign the id itself, but it checks that
 * signature through WebCrypto on every request (an async key import and verify, about a quarter
 * of the CPU of a signed-in page in our benchmark) and signs it again on every response. The
 * first secret signs new ids; every secret is accepted, so SECRET can be rotated.
 */
export function sessionIdSigner(secrets: readonly string[]): SessionIdSigner {
  const keys = secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), KEY_INFO, 32)));
  const signWith = (key: Buffer, id: string) => createHmac('sha256', key).update(id).digest();
  const [current] = keys;
  if (!current) throw new Error('sessionIdSigner needs at least one secret');

  return {
    generate: () => {
      const id = randomBytes(16).toString('hex');
      return `${id}.${signWith(current, id).toString('base64url')}`;
    },
    verify: (value) => {
      const dot = value.indexOf('.');
      if (dot !== 32 || value.length !== 33 + SIGNATURE_LENGTH) return false;
      const id = value.slice(0, dot);
      // Compare the text, not decoded bytes: base64url decoding ignores stray characters and the
      // last character's unused bits, so several strings decode to the same signature.
      const given = Buffer.from(value.slice(dot + 1));
      return keys.some((key) => {
        const expected = Buffer.from(signWith(key, id).toString('base64url'));
        return given.length === expected.length && timingSafeEqual(given, expected);
      });
    },
  };
}
