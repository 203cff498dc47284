import type { SessionIndex } from './session-index.js';
import { filterMembers, memberIds, withMember, type Members } from './set-members.js';

/** The in-memory SessionIndex that goes with MemoryRecordStore: one process only. */
export class MemorySessionIndex implements SessionIndex {
  private readonly sets = new Map<string, Members>();
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

  add(set: string, id: string, expiresAt: number): Promise<number> {
    const members = withMember(this.sets.get(set), id, expiresAt);
    this.sets.set(set, members);
    return Promise.resolve(members instanceof Map ? members.size : 1);
  }

  count(set: string): Promise<number> {
    const members = this.sets.get(set);
    return Promise.resolve(members === undefined ? 0 : members instanceof Map ? members.size : 1);
  }

  /** How many marks it holds (expired ones not yet pruned included): they count against the memory cap. */
  get markCount(): number {
    return this.marks.size;
  }

  members(set: string, now: number): Promise<string[]> {
    const { members } = this.filter(set, (_id, expiresAt) => expiresAt > now);
    return Promise.resolve(members ? memberIds(members) : []);
  }

  remove(set: string, ids: string[]): Promise<void> {
    const removed = new Set(ids);
    this.filter(set, (id) => !removed.has(id));
    return Promise.resolve();
  }

  mark(key: string, value: string, ttlMs: number): Promise<void> {
    this.marks.set(key, { value, expiresAt: this.now() + ttlMs });
    return Promise.resolve();
  }

  raiseMark(key: string, value: string, ttlMs: number): Promise<void> {
    const [current] = this.readMarksNow([key]);
    if (current === undefined || leadingNumber(current) < leadingNumber(value))
      this.marks.set(key, { value, expiresAt: this.now() + ttlMs });
    return Promise.resolve();
  }

  lock(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const [holder] = this.readMarksNow([key]);
    if (holder !== undefined) return Promise.resolve(holder === owner);
    this.marks.set(key, { value: owner, expiresAt: this.now() + ttlMs });
    return Promise.resolve(true);
  }

  unlock(key: string, owner: string): Promise<void> {
    if (this.marks.get(key)?.value === owner) this.marks.delete(key);
    return Promise.resolve();
  }

  readMarks(keys: string[]): Promise<(string | undefined)[]> {
    return Promise.resolve(this.readMarksNow(keys));
  }

  private readMarksNow(keys: string[]): (string | undefined)[] {
    const now = this.now();
    return keys.map((key) => {
      const mark = this.marks.get(key);
      return mark && mark.expiresAt > now ? mark.value : undefined;
    });
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
    // Deleting from a Map while iterating it is safe: iteration goes on with the next entry.
    for (const set of this.sets.keys()) removed += this.filter(set, (_id, expiresAt) => expiresAt > now).dropped;
    return removed;
  }

  /** Keeps the members of `set` for which `keep` holds, and the set only while it has any. */
  private filter(
    set: string,
    keep: (id: string, expiresAt: number) => boolean,
  ): { members?: Members; dropped: number } {
    const current = this.sets.get(set);
    if (!current) return { dropped: 0 };
    const kept = filterMembers(current, keep);
    if (kept.members) this.sets.set(set, kept.members);
    else this.sets.delete(set);
    return kept;
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    return Promise.resolve();
  }
}

/** The number a mark's value starts with (see SessionIndex.raiseMark). */
function leadingNumber(value: string): number {
  return Number(value.split(' ')[0]);
}
