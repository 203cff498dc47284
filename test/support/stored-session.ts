import { promisify } from 'node:util';
import type { StoredSession } from '../../src/auth/session-data.js';
import type { AppSessionStore } from '../../src/auth/session-registry.js';

/** The stored session behind a signed session cookie value (`<id>.<signature>`). */
export async function storedSession(store: AppSessionStore, cookie: string): Promise<StoredSession | null | undefined> {
  return promisify(store.get.bind(store))(cookie.split('.')[0] ?? '');
}
