import type { SessionIndex } from './session-index.js';

/** The in-memory SessionIndex that goes with MemorySessionStore: one process only. */
export class MemorySessionIndex implements SessionIndex {
  private readonly sets = new Map<string, Map<string, number>>();
  private readonly marks = new Map<string, { value: string; expiresAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly now: () => number = Date.now,
    pruneIntervalMs = 60_000,
  ) {
    this.sweeper = setInterval(() => this.prune(), pruneIntervalMs);
    // The sweep must never keep the process alive on its own.
    this.sweeper.unref();
  }

  add(set: string, id: string, expiresAt: number): Promise<void> {
    const members = this.sets.get(set) ?? new Map<string, number>();
    members.set(id, expiresAt);
    this.sets.set(set, members);
    return Promise.resolve();
  }

  members(set: string, now: number): Promise<string[]> {
    const members = this.sets.get(set);
    if (!members) return Promise.resolve([]);
    for (const [id, expiresAt] of members) if (expiresAt <= now) members.delete(id);
    if (members.size === 0) this.sets.delete(set);
    return Promise.resolve([...members.keys()]);
  }

  remove(set: string, ids: string[]): Promise<void> {
    const members = this.sets.get(set);
    for (const id of ids) members?.delete(id);
    if (members?.size === 0) this.sets.delete(set);
    return Promise.resolve();
  }

  mark(key: string, value: string, ttlMs: number): Promise<void> {
    this.marks.set(key, { value, expiresAt: this.now() + ttlMs });
    return Promise.resolve();
  }

  async markOnce(key: string, value: string, ttlMs: number): Promise<boolean> {
    const [existing] = await this.readMarks([key]);
    if (existing !== undefined) return false;
    await this.mark(key, value, ttlMs);
    return true;
  }

  readMarks(keys: string[]): Promise<(string | undefined)[]> {
    const now = this.now();
    return Promise.resolve(
      keys.map((key) => {
        const mark = this.marks.get(key);
        return mark && mark.expiresAt > now ? mark.value : undefined;
      }),
    );
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  /** Drops expired marks and set members; returns how many entries went. */
  prune(): number {
    const now = this.now();
    let removed = 0;
    for (const [key, mark] of this.marks) {
      if (mark.expiresAt <= now) {
        this.marks.delete(key);
        removed += 1;
      }
    }
    for (const [set, members] of this.sets) {
      for (const [id, expiresAt] of members) {
        if (expiresAt <= now) {
          members.delete(id);
          removed += 1;
        }
      }
      if (members.size === 0) this.sets.delete(set);
    }
    return removed;
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    return Promise.resolve();
  }
}
