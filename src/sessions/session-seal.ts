import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SealedRecord, StoredSession } from './session-data.js';
import type { SecretKeys } from './session-keys.js';
import { isStoredSession } from './session-lifetime.js';
import type { SessionRecords } from './session-records.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What is sealed: everything of a stored session but its expiry, which the storage keeps in clear for its TTL. */
export type SessionContent = Pick<StoredSession, 'header' | 'data'>;

export interface SessionSeal {
  /** Encrypts a session for the storage key it will be stored under, with the current secret. */
  seal(storageKey: string, content: SessionContent): string;
  /**
   * Decrypts what `seal` made. Undefined when it cannot be opened: sealed by a secret no longer
   * in SECRET, changed in storage, moved to another storage key, or not sealed at all (a record
   * of an earlier version): the session is then as good as gone.
   */
  open(storageKey: string, sealed: string): SessionContent | undefined;
}

/**
 * AES-256-GCM under the encryption key of each secret: `<key id>.<iv, ciphertext and tag in
 * base64url>`. The key id and the storage key are authenticated as associated data, so a record
 * copied under another session's key, or relabelled with another key id, fails to open: write
 * access to the storage is not enough to hand one user's session to another cookie.
 */
export function sessionSeal(keys: readonly SecretKeys[]): SessionSeal {
  const [current] = keys;
  if (!current) throw new Error('sessionSeal needs at least one secret');
  const byId = new Map(keys.map((key) => [key.id, key]));
  const associatedData = (keyId: string, storageKey: string) => Buffer.from(`${keyId}.${storageKey}`);

  return {
    seal(storageKey, content) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.encryption, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(associatedData(current.id, storageKey));
      const encrypted = Buffer.concat([
        iv,
        cipher.update(JSON.stringify(content), 'utf8'),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return `${current.id}.${encrypted.toString('base64url')}`;
    },
    open(storageKey, sealed) {
      const dot = sealed.indexOf('.');
      const key = dot > 0 ? byId.get(sealed.slice(0, dot)) : undefined;
      if (!key) return undefined;
      const bytes = Buffer.from(sealed.slice(dot + 1), 'base64url');
      if (bytes.length < IV_BYTES + TAG_BYTES) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.encryption, bytes.subarray(0, IV_BYTES), {
          authTagLength: TAG_BYTES,
        });
        decipher.setAAD(associatedData(key.id, storageKey));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        const plain = Buffer.concat([
          decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return JSON.parse(plain.toString('utf8')) as SessionContent;
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * A record store seen as sessions: sealed on the way in, opened and checked on the way out. A
 * record that cannot be opened, or is not a session once opened, reads as no session at all.
 */
export function sealedRecords(
  records: SessionRecords<SealedRecord>,
  seal: SessionSeal,
  now = Date.now,
): SessionRecords {
  return {
    async read(key) {
      const stored: Partial<SealedRecord> | null = await records.read(key);
      if (typeof stored?.sealed !== 'string') return null;
      const content = seal.open(key, stored.sealed);
      const expires = Number(stored.cookie?.expires);
      const session = content && {
        header: content.header,
        data: content.data,
        cookie: { expires, maxAge: expires - now() },
      };
      return isStoredSession(session) && Number.isFinite(expires) ? session : null;
    },
    write: (key, session) =>
      records.write(key, {
        sealed: seal.seal(key, { header: session.header, data: session.data }),
        cookie: { expires: session.cookie.expires },
      }),
    remove: (key) => records.remove(key),
  };
}
