import type { Callback, SessionStoreBackend, StoredSession } from './session-data.js';

/**
 * The in-memory session store used when no REDIS_URL is set. It has the express-session store
 * interface (get/set/destroy with callbacks) and, unlike express-session's MemoryStore, prunes
 * expired sessions on a timer, so memory stays flat once sessions expire. One process only.
 */
export class MemorySessionStore implements SessionStoreBackend {
  private readonly sessions = new Map<string, StoredSession>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(options: { pruneIntervalMs?: number; now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.prune(), options.pruneIntervalMs ?? 60_000);
    // The sweep must never keep the process alive on its own.
    this.sweeper.unref();
  }

  get(sid: string, callback: Callback<StoredSession | null>): void {
    const stored = this.sessions.get(sid);
    if (stored && stored.cookie.expires <= this.now()) {
      this.sessions.delete(sid);
      callback(null, null);
      return;
    }
    callback(null, stored ?? null);
  }

  set(sid: string, session: StoredSession, callback?: Callback): void {
    this.sessions.set(sid, session);
    callback?.(null);
  }

  destroy(sid: string, callback?: Callback): void {
    this.sessions.delete(sid);
    callback?.(null);
  }

  length(callback: Callback<number>): void {
    callback(null, this.sessions.size);
  }

  /** Removes every expired session; returns how many were removed. */
  prune(): number {
    const now = this.now();
    let removed = 0;
    for (const [sid, stored] of this.sessions) {
      if (stored.cookie.expires <= now) {
        this.sessions.delete(sid);
        removed += 1;
      }
    }
    return removed;
  }

  /** In-process memory always answers. */
  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    return Promise.resolve();
  }
}
