import { storeUnavailable } from '../errors.js';
import { createDeadline } from './deadline.js';
import type { AppSessionData, Callback, SessionStoreBackend, StoredSession } from './session-data.js';
import type { SessionIndex } from './session-index.js';
import { sessionRecords, type SessionRecords } from './session-records.js';
import type { AppSessionStore, ListedSession, ProviderLogout } from './session-registry.js';

interface Options {
  /** How long "ended" marks live: the absolute session lifetime, after which no older session can be alive. */
  markTtlMs: number;
  /** The longest any operation may take before it fails as unavailable. */
  timeoutMs: number;
  /** Called when an operation timed out and nothing has succeeded for that long either: the storage is stuck. */
  onStuck?: () => void;
  now?: () => number;
}

interface Entry {
  id: string;
  record: StoredSession;
}

const userSet = (userId: string) => `user:${userId}`;
const providerSessionSet = (sid: string) => `sid:${sid}`;

function settle<T>(work: Promise<T>, callback: Callback<T> | undefined): void {
  work.then(
    (value) => callback?.(null, value),
    (error: unknown) => callback?.(error),
  );
}

/**
 * The session store (express-session's callback interface: express-openid-connect stores new
 * sessions through it, middleware/load-session.ts reads and refreshes them) and
 * the registry behind /sessions and back-channel logout, over any record store (connect-redis, or
 * the in-memory one) and a SessionIndex in the same storage.
 *
 * Every write indexes the session under its user and its provider session. Ending a session
 * marks it ended first and deletes it second; every write checks the marks after writing. So a
 * request that read a session before it was ended cannot write it back afterwards: either its
 * write comes before the ender's delete, or its check comes after the ender's mark.
 *
 * Recording a session's use (middleware/load-session.ts, at most once a minute) goes through
 * set() too: set() re-indexes the session with its new expiry. Extending a record's TTL behind
 * this class's back would let its index entry expire first and hide a live session from
 * back-channel logout.
 */
export class IndexedSessionStore implements AppSessionStore {
  private readonly now: () => number;
  private readonly markTtlMs: number;
  private readonly records: SessionRecords;
  private readonly withinDeadline: ReturnType<typeof createDeadline>;

  constructor(
    private readonly store: SessionStoreBackend,
    private readonly index: SessionIndex,
    options: Options,
  ) {
    this.now = options.now ?? Date.now;
    this.markTtlMs = options.markTtlMs;
    this.records = sessionRecords(store);
    this.withinDeadline = createDeadline({ timeoutMs: options.timeoutMs, onStuck: options.onStuck, now: this.now });
  }

  get(id: string, callback: Callback<StoredSession | null>): void {
    this.withinDeadline(() => this.records.read(id)).then(
      (record) => callback(null, record),
      (error: unknown) => callback(storeUnavailable(error)),
    );
  }

  set(id: string, record: StoredSession, callback?: Callback): void {
    settle(this.guarded(() => this.write(id, record)), callback);
  }

  destroy(id: string, callback?: Callback): void {
    settle(this.guarded(() => this.end([id])), callback);
  }

  sessionsOf(userId: string): Promise<ListedSession[]> {
    return this.guarded(async () => {
      const entries = await this.live(userSet(userId), (data) => data.userinfo?.sub === userId);
      return entries
        .map(({ record }) => ({
          handle: record.data.handle ?? '',
          signedInAt: record.data.signedInAt ?? record.header.iat * 1000,
          lastSeenAt: record.header.uat * 1000,
          expiresAt: record.cookie.expires,
          userAgent: record.data.userAgent,
        }))
        .filter((session) => session.handle !== '')
        .sort((a, b) => b.lastSeenAt - a.lastSeenAt);
    });
  }

  endSessions(userId: string, handles: string[]): Promise<number> {
    return this.guarded(async () => {
      const wanted = new Set(handles);
      const entries = await this.live(userSet(userId), (data) => data.userinfo?.sub === userId && data.handle !== undefined && wanted.has(data.handle));
      await this.end(entries.map((entry) => entry.id));
      return entries.length;
    });
  }

  endProviderSessions({ sub, sid, jti }: ProviderLogout): Promise<number> {
    return this.guarded(async () => {
      const [seen] = await this.index.readMarks([`token:${jti}`]);
      if (seen !== undefined) return 0;
      let entries: Entry[];
      if (sid !== undefined) {
        await this.index.mark(`ended:${providerSessionSet(sid)}`, '1', this.markTtlMs);
        entries = await this.live(providerSessionSet(sid), (data) => data.sid === sid && (sub === undefined || data.userinfo?.sub === sub));
      } else if (sub !== undefined) {
        // Sessions signed in up to now end; a sign-in after this moment is a new one.
        await this.index.mark(`ended:${userSet(sub)}`, String(this.now()), this.markTtlMs);
        entries = await this.live(userSet(sub), (data) => data.userinfo?.sub === sub);
      } else {
        return 0;
      }
      await this.end(entries.map((entry) => entry.id));
      await this.index.mark(`token:${jti}`, '1', this.markTtlMs);
      return entries.length;
    });
  }

  ping(): Promise<void> {
    return this.guarded(() => this.index.ping());
  }

  async close(): Promise<void> {
    await Promise.all([this.store.close(), this.index.close()]);
  }

  private async write(id: string, record: StoredSession): Promise<void> {
    await this.records.write(id, record);
    const sets = setsOf(record.data);
    await Promise.all(sets.map((set) => this.index.add(set, id, record.cookie.expires)));
    if (await this.wasEnded(id, record.data)) {
      await this.records.remove(id);
      await Promise.all(sets.map((set) => this.index.remove(set, [id])));
    }
  }

  private async wasEnded(id: string, data: AppSessionData): Promise<boolean> {
    const checks: [key: string, ends: (mark: string) => boolean][] = [[`ended:${id}`, () => true]];
    if (data.sid !== undefined) checks.push([`ended:${providerSessionSet(data.sid)}`, () => true]);
    if (data.userinfo) checks.push([`ended:${userSet(data.userinfo.sub)}`, (endedAt) => (data.signedInAt ?? 0) <= Number(endedAt)]);
    const marks = await this.index.readMarks(checks.map(([key]) => key));
    return checks.some(([, ends], position) => {
      const mark = marks[position];
      return mark !== undefined && ends(mark);
    });
  }

  /** Marks first, deletes second (see the class comment); index entries go when next listed. */
  private async end(ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.index.mark(`ended:${id}`, '1', this.markTtlMs)));
    await Promise.all(ids.map((id) => this.records.remove(id)));
  }

  /** The sessions listed in a set that still exist and match; drops the ones that do not. */
  private async live(set: string, matches: (data: AppSessionData) => boolean): Promise<Entry[]> {
    const ids = await this.index.members(set, this.now());
    const found = await Promise.all(ids.map(async (id) => ({ id, record: await this.records.read(id) })));
    const live = found.filter((entry): entry is Entry => entry.record !== null && matches(entry.record.data));
    const stale = found.filter((entry) => entry.record === null).map((entry) => entry.id);
    if (stale.length > 0) await this.index.remove(set, stale);
    return live;
  }

  /** Every public operation: bounded in time, and failing only as "unavailable" (503). */
  private async guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.withinDeadline(work);
    } catch (error) {
      throw storeUnavailable(error);
    }
  }
}

function setsOf(data: AppSessionData): string[] {
  const sets: string[] = [];
  if (data.userinfo) sets.push(userSet(data.userinfo.sub));
  if (data.sid !== undefined) sets.push(providerSessionSet(data.sid));
  return sets;
}
