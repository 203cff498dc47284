import { promisify } from 'node:util';
import type { StoredSession } from '../../src/auth/session-data.js';
import type { AppSessionStore } from '../../src/auth/session-registry.js';

/** What a session cookie holds: 128 random bits in hex, a dot, their HMAC in base64url. */
export const SESSION_COOKIE_VALUE = /^[0-9a-f]{32}\.[\w-]{43}$/;

/** The store key behind a session cookie: the whole signed value (auth/session-id.ts). */
export function storeIdOf(cookie: string | undefined): string {
  return cookie ?? '';
}

/** The stored session behind a session cookie value. */
export async function storedSession(store: AppSessionStore, cookie: string): Promise<StoredSession | null | undefined> {
  return promisify(store.get.bind(store))(storeIdOf(cookie));
}
