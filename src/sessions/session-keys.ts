import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';

/**
 * The keys one SECRET yields, one per job, so that no key ever serves two purposes: knowing what
 * one of them produced (a storage key, say) tells nothing about another (a cookie's signature).
 */
export interface SecretKeys {
  /** A short public name for this secret's keys, stored beside what they sealed, so a reader knows which secret opens it. */
  id: string;
  /** Signs session ids: the signature the session cookie carries. */
  signing: KeyObject;
  /** Turns a session id into the key its session is stored under. */
  storage: KeyObject;
  /** Turns a user id, a provider session id or a logout token id into an index name. */
  naming: KeyObject;
  /** Encrypts stored sessions (AES-256-GCM). */
  encryption: KeyObject;
}

// The first one predates the others: ids signed before sessions were sealed still verify.
const PURPOSES = {
  signing: 'session id signature',
  storage: 'session storage key',
  naming: 'session index name',
  encryption: 'session record encryption',
  id: 'session key id',
} as const;

function derive(secret: string, purpose: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), purpose, length));
}

/**
 * Derives every session key from each secret (HKDF-SHA256, one `info` per job). The order is
 * SECRET's: the first secret's keys sign and seal everything new; all of them verify and open,
 * so sessions live on through a rotation. A secret listed twice counts once.
 */
export function deriveSecretKeys(secrets: readonly string[]): SecretKeys[] {
  const keys = new Map<string, SecretKeys>();
  for (const secret of secrets) {
    const id = derive(secret, PURPOSES.id, 6).toString('base64url');
    if (keys.has(id)) continue;
    keys.set(id, {
      id,
      signing: createSecretKey(derive(secret, PURPOSES.signing)),
      storage: createSecretKey(derive(secret, PURPOSES.storage)),
      naming: createSecretKey(derive(secret, PURPOSES.naming)),
      encryption: createSecretKey(derive(secret, PURPOSES.encryption)),
    });
  }
  if (keys.size === 0) throw new Error('session keys need at least one secret');
  return [...keys.values()];
}

/** A keyed hash, base64url: what storage may hold in place of an id. */
export function keyedHash(key: KeyObject, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

/** How many characters of the keyed hash a log line carries for a user: 96 bits, enough to tell users apart. */
const USER_LOG_ID_LENGTH = 16;

/**
 * What a log line says for a user: a keyed hash of their id (`sub`), never the id itself, which
 * is a claim and, for many connections (`samlp|acme|alice@acme.example`), an email. The same user
 * gets the same value on every instance, for as long as the first secret stays first; an operator
 * with SECRET finds a user's lines with `npm run user-log-id -- '<sub>'`.
 */
export function userLogId(keys: readonly SecretKeys[], sub: string): string {
  const [current] = keys;
  if (!current) throw new Error('userLogId needs at least one secret');
  return keyedHash(current.naming, `log\0${sub}`).slice(0, USER_LOG_ID_LENGTH);
}

/**
 * The names under which the index keeps something about `value` (a user id, a provider session
 * id, a logout token id), one per secret, the current secret's first: storage never holds the
 * value itself. Writers use the first name; readers look under all of them.
 */
export function indexNames(keys: readonly SecretKeys[], kind: string, value: string): string[] {
  return keys.map((key) => `${kind}:${keyedHash(key.naming, `${kind}\0${value}`)}`);
}
