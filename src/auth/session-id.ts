import { createHmac, createSecretKey, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

const KEY_INFO = 'session id signature';
const SIGNATURE_LENGTH = 43; // base64url of a SHA-256 HMAC
/**
 * The recently seen ids worth remembering: about 140 bytes each, so at most ~0.6 MB. A site with
 * more visitors active at once than this just verifies some of them again.
 */
const REMEMBERED_IDS = 4096;

export interface RememberedIds {
  has: (value: string) => boolean;
  add: (value: string) => void;
  readonly size: number;
}

/**
 * Up to `limit` strings; when full, it forgets them all and starts over (each cookie then costs
 * one HMAC again). Not evicting the oldest one by one: deleting a Set's first entries makes
 * finding the next first one slower each time (about 5 µs a call at 10,000, more than the HMAC).
 */
export function rememberedIds(limit: number): RememberedIds {
  const values = new Set<string>();
  return {
    has: (value) => values.has(value),
    add: (value) => {
      if (values.size >= limit) values.clear();
      // A copy: the value is usually a slice of the whole Cookie header (up to 16 KB), and V8
      // would keep that header alive as long as the slice.
      values.add(Buffer.from(value, 'latin1').toString('latin1'));
    },
    get size() {
      return values.size;
    },
  };
}

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
 *
 * A cookie that passed is remembered (`verified`: up to REMEMBERED_IDS of them), so a returning
 * visitor costs a lookup instead of an HMAC per secret. Only values that passed are kept, so
 * forged ones can neither fill the memory nor push real ones out.
 */
export function sessionIdSigner(secrets: readonly string[], verified: RememberedIds = rememberedIds(REMEMBERED_IDS)): SessionIdSigner {
  const keys = secrets.map((secret) => createSecretKey(Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), KEY_INFO, 32))));
  const signWith = (key: KeyObject, id: string) => createHmac('sha256', key).update(id).digest('base64url');
  const [current] = keys;
  if (!current) throw new Error('sessionIdSigner needs at least one secret');

  const checkSignature = (value: string) => {
    const dot = value.indexOf('.');
    if (dot !== 32 || value.length !== 33 + SIGNATURE_LENGTH) return false;
    const id = value.slice(0, dot);
    // Compare the text, not decoded bytes: base64url decoding ignores stray characters and the
    // last character's unused bits, so several strings decode to the same signature.
    const given = Buffer.from(value.slice(dot + 1));
    return keys.some((key) => {
      const expected = Buffer.from(signWith(key, id));
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  };

  return {
    generate: () => {
      const id = randomBytes(16).toString('hex');
      return `${id}.${signWith(current, id)}`;
    },
    verify: (value) => {
      if (verified.has(value)) return true;
      if (!checkSignature(value)) return false;
      verified.add(value);
      return true;
    },
  };
}
