import { promisify } from 'node:util';
import type { RecordStore, SealedRecord, StoredSession } from '../../src/sessions/session-data.js';
import { deriveSecretKeys } from '../../src/sessions/session-keys.js';
import { sessionRecords, type SessionRecords } from '../../src/sessions/session-records.js';
import type { SessionStore } from '../../src/sessions/session-registry.js';
import { sealedRecords, sessionSeal } from '../../src/sessions/session-seal.js';
import type { RedisServer } from './redis-server.js';

/** What a session cookie holds: 128 random bits in hex, a dot, their HMAC in base64url. */
export const SESSION_COOKIE_VALUE = /^[0-9a-f]{32}\.[\w-]{43}$/;

/** What the app's session store is keyed by: the cookie's whole signed value (it hashes that into a storage key itself). */
export function storeIdOf(cookie: string | undefined): string {
  return cookie ?? '';
}

/** The stored session behind a session cookie value. */
export async function storedSession(store: SessionStore, cookie: string): Promise<StoredSession | null | undefined> {
  return promisify(store.get.bind(store))(storeIdOf(cookie));
}

/** The key storage holds a session under: a keyed hash of its id (never the cookie value). */
export function storageKeyOf(store: SessionStore, cookie: string): string {
  const key = store.ids.storageKeyOf(cookie);
  if (key === undefined) throw new Error('not a session cookie this store signed');
  return key;
}

/** The Redis key of a session's record (connect-redis's prefix, then the storage key). */
export function redisKeyOf(store: SessionStore, cookie: string): string {
  return `session:${storageKeyOf(store, cookie)}`;
}

/**
 * A record store's sessions opened with SECRET's keys, keyed by storage key: how a test reads or
 * ages a record beneath the app's store (as an operator with the secret could).
 */
export function openedRecords(records: RecordStore, secrets: readonly string[]): SessionRecords {
  return sealedRecords(sessionRecords(records), sessionSeal(deriveSecretKeys(secrets)));
}

/** The records in a test's Redis, written back with their TTL kept. */
export function redisRecords(redis: RedisServer): RecordStore {
  const run = <T>(work: Promise<T>, callback?: (error: unknown, value?: T) => void) => {
    work.then(
      (value) => callback?.(null, value),
      (error: unknown) => callback?.(error),
    );
  };
  return {
    get: (key, callback) => {
      run(
        redis
          .command(['GET', `session:${key}`])
          .then((raw) => (typeof raw === 'string' ? (JSON.parse(raw) as SealedRecord) : null)),
        callback,
      );
    },
    set: (key, record, callback) => {
      run(
        redis.command(['SET', `session:${key}`, JSON.stringify(record), 'KEEPTTL']).then(() => undefined),
        callback,
      );
    },
    destroy: (key, callback) => {
      run(
        redis.command(['DEL', `session:${key}`]).then(() => undefined),
        callback,
      );
    },
    close: () => Promise.resolve(),
  };
}
