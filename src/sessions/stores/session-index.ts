/**
 * The bookkeeping kept beside the session records so that sessions can be found and ended by
 * user or by provider session: sets of storage keys scored by their expiry (so they expire with
 * the sessions they list), and short-lived "ended" marks that stop a request already in flight
 * from writing an ended session back. Redis and memory implement it; the logic that uses it is
 * in indexed-session-store.ts.
 */
export interface SessionIndex {
  /** Adds a storage key to a set, or moves its expiry (epoch ms); resolves with how many the set holds (expired ones not yet dropped included). */
  add(set: string, id: string, expiresAt: number): Promise<number>;
  /** How many members a set holds (expired ones not yet dropped included). */
  count(set: string): Promise<number>;
  /** The ids in a set whose expiry is still ahead of `now`; expired ones are dropped. */
  members(set: string, now: number): Promise<string[]>;
  remove(set: string, ids: string[]): Promise<void>;
  /** Writes a mark that disappears by itself after `ttlMs`. */
  mark(key: string, value: string, ttlMs: number): Promise<void>;
  /**
   * Writes a mark whose value starts with a number, unless one with a number as high or higher is
   * already there: marks that arrive out of order never lower it. Atomic.
   */
  raiseMark(key: string, value: string, ttlMs: number): Promise<void>;
  /**
   * Takes a lock that frees itself after `ttlMs` unless released first: true when this `owner`
   * now holds it, false when someone else does. Atomic.
   */
  lock(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Releases a lock, only if `owner` still holds it (it may have expired and been taken since). Atomic. */
  unlock(key: string, owner: string): Promise<void>;
  /** Reads several marks at once (undefined where there is none). */
  readMarks(keys: string[]): Promise<(string | undefined)[]>;
  /** Resolves when the storage answers; rejects (fast) when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
