import { randomBytes, timingSafeEqual } from 'node:crypto';
import { keyedHash, type SecretKeys } from './session-keys.js';

const SIGNATURE_LENGTH = 43; // base64url of a SHA-256 HMAC
/**
 * The recently seen ids worth remembering, with their storage keys: about 200 bytes each, so at
 * most ~0.8 MB. A site with more visitors active at once than this just verifies some of them
 * again.
 */
const REMEMBERED_IDS = 4096;

/** Cookie values that passed, each with its storage key. */
export interface RememberedIds {
  has: (value: string) => boolean;
  get: (value: string) => string | undefined;
  set: (value: string, storageKey: string) => void;
  readonly size: number;
}

/**
 * Up to `limit` cookie values; when full, it forgets them all and starts over (each cookie then
 * costs its HMACs again). Not evicting the oldest one by one: deleting a Set's first entries makes
 * finding the next first one slower each time (about 5 µs a call at 10,000, more than the HMAC).
 */
export function rememberedIds(limit: number): RememberedIds {
  const values = new Map<string, string>();
  return {
    has: (value) => values.has(value),
    get: (value) => values.get(value),
    set: (value, storageKey) => {
      if (values.size >= limit) values.clear();
      // A copy: the value is usually a slice of the whole Cookie header (up to 16 KB), and V8
      // would keep that header alive as long as the slice.
      values.set(Buffer.from(value, 'latin1').toString('latin1'), storageKey);
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
  /**
   * The key the session of a signed id is stored under: a keyed hash of the id under the storage
   * key of the secret that signed it (so one lookup finds it, before and after a rotation).
   * Undefined for a value this app did not sign. Storage never holds the id or the cookie value,
   * so reading the store is not enough to make a working cookie.
   */
  storageKeyOf: (value: string) => string | undefined;
}

/**
 * Session ids that carry their own signature, checked with a synchronous HMAC before anything
 * looks the session up. express-openid-connect can sign the id itself, but it checks that
 * signature through WebCrypto on every request (an async key import and verify, about a quarter
 * of the CPU of a signed-in page in our benchmark) and signs it again on every response. The
 * first secret signs new ids; every secret is accepted, so SECRET can be rotated.
 *
 * A cookie that passed is remembered with its storage key (`verified`: up to REMEMBERED_IDS of
 * them), so a returning visitor costs a lookup instead of two HMACs. Only values that passed are
 * kept, so forged ones can neither fill the memory nor push real ones out.
 */
export function sessionIdSigner(
  keys: readonly SecretKeys[],
  verified: RememberedIds = rememberedIds(REMEMBERED_IDS),
): SessionIdSigner {
  const [current] = keys;
  if (!current) throw new Error('sessionIdSigner needs at least one secret');

  /** The keys of the secret that signed `value`, if one did. */
  const signerOf = (value: string): SecretKeys | undefined => {
    const dot = value.indexOf('.');
    if (dot !== 32 || value.length !== 33 + SIGNATURE_LENGTH) return undefined;
    const id = value.slice(0, dot);
    // Compare the text, not decoded bytes: base64url decoding ignores stray characters and the
    // last character's unused bits, so several strings decode to the same signature.
    const given = Buffer.from(value.slice(dot + 1));
    return keys.find((key) => {
      const expected = Buffer.from(keyedHash(key.signing, id));
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  };

  const storageKeyOf = (value: string): string | undefined => {
    const remembered = verified.get(value);
    if (remembered !== undefined) return remembered;
    const signer = signerOf(value);
    if (!signer) return undefined;
    const storageKey = keyedHash(signer.storage, value.slice(0, 32));
    verified.set(value, storageKey);
    return storageKey;
  };

  return {
    generate: () => {
      const id = randomBytes(16).toString('hex');
      return `${id}.${keyedHash(current.signing, id)}`;
    },
    verify: (value) => storageKeyOf(value) !== undefined,
    storageKeyOf,
  };
}
