import { SessionLimitReached, SessionStoreUnavailable } from '../errors.js';
import { createDeadline } from './deadline.js';
import type { AppSessionData, Callback, RecordStore, SessionTokens, StoredSession } from './session-data.js';
import { sessionIdSigner, type SessionIdSigner } from './session-id.js';
import type { SessionIndex } from './stores/session-index.js';
import { indexNames, type SecretKeys } from './session-keys.js';
import type { SessionLifetime } from './session-lifetime.js';
import { sessionRecords, type SessionRecords } from './session-records.js';
import type { SessionStore, ListedSession, ProviderLogout, SendRedisCommand } from './session-registry.js';
import { sealedRecords, sessionSeal } from './session-seal.js';
import { sessionTokenRecords } from './session-tokens.js';

/**
 * How long a mark that ends a provider session or a user's sessions stays: longer than any
 * request can run (the server cuts requests after REQUEST_TIMEOUT_MS, and every provider and
 * store call is bounded), so a sign-in or a page view already under way when the logout came
 * cannot write its session afterwards. Sessions that already exist are ended one by one, each
 * with a mark of its own.
 */
const IN_FLIGHT_MARK_MS = 5 * 60 * 1000;
/** Marks outlive what they guard by this much: instances' clocks may differ a little. */
const CLOCK_MARGIN_MS = 60 * 1000;

interface Options {
  /** From SECRET: the first secret's keys seal and name everything new; all of them open and find. */
  keys: readonly SecretKeys[];
  /** The session lifetimes: no session lives longer, so no mark need either. */
  lifetime: SessionLifetime;
  /** The most live sessions one user may have; a new sign-in beyond it ends their least recently used one. */
  maxSessionsPerUser: number;
  /** The longest any operation may take before it fails as unavailable. */
  timeoutMs: number;
  /** Called when an operation timed out and nothing has succeeded for that long either: the storage is stuck. */
  onStuck?: () => void;
  /**
   * After a sign-in, a logout, ended sessions or refreshed tokens: waits (bounded) until a replica holds the write,
   * so that a failover right after does not undo it (Redis with Sentinel only, see replica-wait.ts).
   */
  replicate?: () => Promise<void>;
  /** Sends one raw command to the storage (Redis only), lent as sendRedisCommand. */
  sendCommand?: (args: string[]) => Promise<unknown>;
  /** Called with the number of sessions a sign-in beyond the per-user cap ended. */
  onCapped?: (ended: number) => void;
  now?: () => number;
}

/** A session found through the index: its storage key and what it holds. */
interface Entry {
  key: string;
  record: StoredSession;
}

function settle<T>(work: Promise<T>, callback: Callback<T> | undefined): void {
  work.then(
    (value) => callback?.(null, value),
    (error: unknown) => callback?.(error),
  );
}

/**
 * The session store (express-session's callback interface, keyed by the session cookie's value:
 * express-openid-connect stores new sessions through it, sessions/load-session.ts reads and
 * refreshes them) and the registry behind /sessions and back-channel logout, over a record store
 * (connect-redis, or the in-memory one) and a SessionIndex in the same storage.
 *
 * Storage never sees a session id, a cookie value or anything personal: a session is stored under
 * a keyed hash of its id (SessionIdSigner.storageKeyOf), sealed with AES-256-GCM (session-seal.ts),
 * and indexed under keyed hashes of its user id and provider session id (session-keys.ts
 * indexNames). Reading Redis, a replica or a backup is not enough to take a session over or to
 * read a token or a claim. Memory and Redis go through this same code.
 *
 * Every write indexes the session under its user and its provider session. Ending a session
 * marks it ended first and deletes it second; every write checks the marks after writing. So a
 * request that read a session before it was ended cannot write it back afterwards: either its
 * write comes before the ender's delete, or its check comes after the ender's mark. A mark lives
 * as long as what it guards could: an ended session's until its absolute end.
 *
 * Recording a session's use (sessions/load-session.ts, at most once a minute) goes through
 * set() too: set() re-indexes the session with its new expiry. Extending a record's TTL behind
 * this class's back would let its index entry expire first and hide a live session from
 * back-channel logout.
 */
export class IndexedSessionStore implements SessionStore {
  readonly ids: SessionIdSigner;
  readonly sendRedisCommand?: SendRedisCommand;
  private readonly now: () => number;
  private readonly records: SessionRecords;
  private readonly withinDeadline: ReturnType<typeof createDeadline>;
  private readonly tokens: ReturnType<typeof sessionTokenRecords>;
  private tokensEnded: (refreshTokens: string[]) => void = () => undefined;

  constructor(
    private readonly store: RecordStore,
    private readonly index: SessionIndex,
    private readonly options: Options,
  ) {
    this.now = options.now ?? Date.now;
    this.ids = sessionIdSigner(options.keys);
    this.records = sealedRecords(sessionRecords(store), sessionSeal(options.keys));
    this.tokens = sessionTokenRecords(this.records);
    this.withinDeadline = createDeadline({ timeoutMs: options.timeoutMs, onStuck: options.onStuck, now: this.now });
    const { sendCommand } = options;
    // Through the sessions' own deadline, unwrapped: a stuck Redis is noticed (and reconnected)
    // whoever asked, and the caller still sees Redis's own reply errors.
    if (sendCommand) this.sendRedisCommand = (...args) => this.withinDeadline(() => sendCommand(args));
  }

  /**
   * Answers null for an id this app did not sign, without asking the storage; and for a session
   * marked ended, even when its record is there: a write that reached the storage after the end
   * (a touch sent just before a stall, whose check never ran) must not bring it back.
   */
  get(id: string, callback: Callback<StoredSession | null>): void {
    const key = this.ids.storageKeyOf(id);
    if (key === undefined) {
      setImmediate(callback, null, null);
      return;
    }
    this.withinDeadline(() => Promise.all([this.records.read(key), this.index.readMarks([ended(key)])])).then(
      ([record, [endedMark]]) => callback(null, endedMark === undefined ? record : null),
      (error: unknown) => callback(new SessionStoreUnavailable(error)),
    );
  }

  set(id: string, record: StoredSession, callback?: Callback): void {
    settle(
      this.guarded(async () => {
        await this.write(this.keyOf(id), record);
        // A sign-in (last use still its start) must outlive a failover. A touch, written back once
        // a minute to record use, need not: losing one costs a minute of idle time, and waiting
        // would hold the connection on every signed-in page that records its use.
        if (record.header.uat === record.header.iat) await this.replicated();
      }),
      callback,
    );
  }

  destroy(id: string, callback?: Callback): void {
    const key = this.ids.storageKeyOf(id);
    settle(
      key === undefined
        ? Promise.resolve()
        : this.guarded(async () => {
            await this.end([{ key, record: await this.records.read(key) }]);
            await this.replicated();
          }),
      callback,
    );
  }

  sessionsOf(userId: string): Promise<ListedSession[]> {
    return this.guarded(async () => {
      const entries = await this.userSessions(userId);
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
      const entries = (await this.userSessions(userId)).filter(
        ({ record }) => record.data.handle !== undefined && wanted.has(record.data.handle),
      );
      await this.end(entries);
      await this.replicated();
      return entries.length;
    });
  }

  endProviderSessions({ sub, sid, jti, issuedAt, acceptedUntil }: ProviderLogout): Promise<number> {
    return this.guarded(async () => {
      const tokenMarks = this.names('token', jti);
      if ((await this.index.readMarks(tokenMarks)).some((mark) => mark !== undefined)) return 0;
      let entries: Entry[];
      if (sid !== undefined) {
        const sets = this.names('sid', sid);
        await this.markAll(sets.map(ended), '1', IN_FLIGHT_MARK_MS);
        entries = await this.live(
          sets,
          (data) => data.sid === sid && (sub === undefined || data.userinfo?.sub === sub),
        );
      } else if (sub !== undefined) {
        // Sessions signed in up to the logout end; a sign-in after it is a new one.
        const sets = this.names('user', sub);
        const mark = `${issuedAt} ${this.now()}`;
        await Promise.all(sets.map((set) => this.index.raiseMark(ended(set), mark, IN_FLIGHT_MARK_MS)));
        entries = await this.live(sets, (data) => data.userinfo?.sub === sub);
      } else {
        return 0;
      }
      await this.end(entries);
      // For as long as the token itself would pass: a replay is refused while it could be accepted.
      await this.markAll(tokenMarks, '1', Math.max(0, acceptedUntil - this.now()) + CLOCK_MARGIN_MS);
      await this.replicated();
      return entries.length;
    });
  }
  readTokens(id: string): Promise<SessionTokens | undefined> {
    return this.guarded(() => this.tokens.read(this.keyOf(id)));
  }

  writeTokens(id: string, tokens: SessionTokens): Promise<void> {
    return this.guarded(async () => {
      const key = this.keyOf(id);
      await this.tokens.write(key, tokens, this.now() + this.options.lifetime.absoluteSeconds * 1000);
      // A rotated refresh token lost in a failover would leave the old one, whose reuse revokes them all.
      await this.replicated();
      // Ended while its tokens were being refreshed: the new ones must not outlive it, unrevoked.
      const [endedMark] = await this.index.readMarks([ended(key)]);
      if (endedMark === undefined) return;
      await this.tokens.remove(key);
      if (tokens.refreshToken !== undefined) this.tokensEnded([tokens.refreshToken]);
    });
  }

  lockTokens(id: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.guarded(() => this.index.lock(refreshLock(this.keyOf(id)), owner, ttlMs));
  }

  unlockTokens(id: string, owner: string): Promise<void> {
    return this.guarded(() => this.index.unlock(refreshLock(this.keyOf(id)), owner));
  }

  whenSessionsEnd(listener: (refreshTokens: string[]) => void): void {
    this.tokensEnded = listener;
  }

  ping(): Promise<void> {
    return this.guarded(() => this.index.ping());
  }

  async close(): Promise<void> {
    await Promise.all([this.store.close(), this.index.close()]);
  }

  private keyOf(id: string): string {
    const key = this.ids.storageKeyOf(id);
    if (key === undefined) throw new Error('refusing to store a session under an id this app did not sign');
    return key;
  }

  /** Index names for a value under every secret; the current secret's first (session-keys.ts). */
  private names(kind: 'user' | 'sid' | 'token', value: string): string[] {
    return indexNames(this.options.keys, kind, value);
  }

  private async write(key: string, record: StoredSession): Promise<void> {
    await this.records.write(key, record);
    const { data } = record;
    const userSets = data.userinfo ? this.names('user', data.userinfo.sub) : [];
    const sidSets = data.sid !== undefined ? this.names('sid', data.sid) : [];
    // Written under the current secret's names only; read under all of them.
    const current = [userSets[0], sidSets[0]].filter((set): set is string => set !== undefined);
    const [userSetSize = 0] = await Promise.all(current.map((set) => this.index.add(set, key, record.cookie.expires)));
    if (await this.wasEnded(key, data, userSets, sidSets)) {
      await this.records.remove(key);
      await Promise.all(current.map((set) => this.index.remove(set, [key])));
      return;
    }
    const sub = data.userinfo?.sub;
    if (sub !== undefined && (await this.sessionCount(userSets, userSetSize)) > this.options.maxSessionsPerUser)
      await this.capSessionsOf(sub, key, record);
  }

  /**
   * How many sessions the user's sets list (expired ones not yet dropped included): the current
   * set's size, plus the sets under older secrets while SECRET lists more than one.
   */
  private async sessionCount(userSets: string[], currentSize: number): Promise<number> {
    const sizes = await Promise.all(userSets.slice(1).map((set) => this.index.count(set)));
    return sizes.reduce((total, size) => total + size, currentSize);
  }

  /**
   * Ends the user's least recently used sessions beyond the cap. Only sessions signed in before the
   * one just written are candidates: two sign-ins completing at once each end older sessions, and
   * the later one may end the earlier, but never both each other. Last use is as precise as the
   * store knows it (written back at most once a touch interval, see session-lifetime.ts); between
   * equals, the earlier sign-in goes first.
   */
  private async capSessionsOf(userId: string, justWritten: string, written: StoredSession): Promise<void> {
    const entries = await this.userSessions(userId);
    const excess = entries.length - this.options.maxSessionsPerUser;
    if (excess <= 0) return;
    const signedInAt = (record: StoredSession) => record.data.signedInAt ?? record.header.iat * 1000;
    // A total order (sign-in time, then storage key), so of two sign-ins in the same millisecond one is the earlier.
    const before = (entry: Entry) =>
      signedInAt(entry.record) < signedInAt(written) ||
      (signedInAt(entry.record) === signedInAt(written) && entry.key < justWritten);
    const leastRecentlyUsed = entries
      .filter(before)
      .sort((a, b) => a.record.header.uat - b.record.header.uat || signedInAt(a.record) - signedInAt(b.record))
      .slice(0, excess);
    await this.end(leastRecentlyUsed);
    this.options.onCapped?.(leastRecentlyUsed.length);
  }

  private async wasEnded(key: string, data: AppSessionData, userSets: string[], sidSets: string[]): Promise<boolean> {
    const checks: [mark: string, ends: (value: string) => boolean][] = [[ended(key), () => true]];
    for (const set of sidSets) checks.push([ended(set), () => true]);
    for (const set of userSets) checks.push([ended(set), (mark) => signedInBefore(data, mark)]);
    const marks = await this.index.readMarks(checks.map(([mark]) => mark));
    return checks.some(([, ends], position) => {
      const mark = marks[position];
      return mark !== undefined && ends(mark);
    });
  }

  /** Marks first, deletes second (see the class comment), then drops the index entries. */
  private async end(entries: { key: string; record: StoredSession | null }[]): Promise<void> {
    await Promise.all(entries.map(({ key, record }) => this.index.mark(ended(key), '1', this.lifeLeftMs(record))));
    await Promise.all(entries.map(({ key }) => this.records.remove(key)));
    await this.endTokens(entries);
    const listings = entries.flatMap(({ key, record }) =>
      record
        ? setsOf(record.data).flatMap(({ kind, value }) => this.names(kind, value).map((set) => ({ set, key })))
        : [],
    );
    await Promise.all(listings.map(({ set, key }) => this.index.remove(set, [key])));
  }

  /**
   * Drops the ended sessions' token records and hands their refresh tokens over to be revoked. Only
   * a session signed in with a refresh token can have a token record.
   */
  private async endTokens(entries: { key: string; record: StoredSession | null }[]): Promise<void> {
    const withTokens = entries.filter(({ record }) => record?.data.refresh_token !== undefined);
    if (withTokens.length === 0) return;
    const refreshTokens = await Promise.all(
      withTokens.map(async ({ key, record }) => {
        const refreshed = await this.tokens.read(key);
        if (refreshed) await this.tokens.remove(key);
        return refreshed?.refreshToken ?? record?.data.refresh_token;
      }),
    );
    this.tokensEnded(refreshTokens.filter((token): token is string => token !== undefined));
  }

  /**
   * How long an ended session's mark must stay: as long as the session could still have lived if
   * a write already under way brought it back. Such a write sets it to expire at most an idle
   * timeout after that request, and never after its absolute end or the provider's ceiling. A
   * record already gone needs a mark only while requests already under way may write it.
   */
  private lifeLeftMs(record: StoredSession | null): number {
    if (!record) return IN_FLIGHT_MARK_MS;
    const now = this.now();
    const { idleSeconds, absoluteSeconds } = this.options.lifetime;
    const absoluteEnd = (record.header.iat + absoluteSeconds) * 1000;
    const providerEnd = record.data.sessionExpiresAt === undefined ? Infinity : record.data.sessionExpiresAt * 1000;
    const revivedEnd = now + IN_FLIGHT_MARK_MS + idleSeconds * 1000;
    return Math.max(0, Math.min(absoluteEnd, providerEnd, revivedEnd) - now) + CLOCK_MARGIN_MS;
  }

  private async markAll(marks: string[], value: string, ttlMs: number): Promise<void> {
    await Promise.all(marks.map((mark) => this.index.mark(mark, value, ttlMs)));
  }

  private userSessions(userId: string): Promise<Entry[]> {
    return this.live(this.names('user', userId), (data) => data.userinfo?.sub === userId);
  }

  /** The sessions listed in any of the sets that still exist and match; drops the ones that do not. */
  private async live(sets: string[], matches: (data: AppSessionData) => boolean): Promise<Entry[]> {
    const found = new Map<string, Entry>();
    for (const set of sets) {
      const keys = (await this.index.members(set, this.now())).filter((key) => !found.has(key));
      const read = await Promise.all(keys.map(async (key) => ({ key, record: await this.records.read(key) })));
      const stale = read.filter((entry) => entry.record === null).map((entry) => entry.key);
      if (stale.length > 0) await this.index.remove(set, stale);
      for (const entry of read)
        if (entry.record !== null && matches(entry.record.data))
          found.set(entry.key, { key: entry.key, record: entry.record });
    }
    return [...found.values()];
  }

  private async replicated(): Promise<void> {
    await this.options.replicate?.();
  }

  /** Every public operation: bounded in time, and failing only as "unavailable" (503) or as full. */
  private async guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await this.withinDeadline(work);
    } catch (error) {
      if (error instanceof SessionLimitReached) throw error;
      throw new SessionStoreUnavailable(error);
    }
  }
}

const ended = (name: string) => `ended:${name}`;
const refreshLock = (key: string) => `refresh:${key}`;

/**
 * Whether a session was signed in before a logout of its user, as marked: `<logout token iat> <ender's
 * clock>` (epoch ms). The ID token's and the logout token's times both come from the provider's
 * clock, whatever the instances' clocks say, but count whole seconds: within the same second, the
 * instances' clocks (sign-in completed, logout received) decide.
 */
function signedInBefore(data: AppSessionData, mark: string): boolean {
  const [logoutIssuedAt = 0, endedAt = 0] = mark.split(' ').map(Number);
  const signedInAt = data.signedInAt ?? 0;
  if (data.idTokenIssuedAt === undefined || data.idTokenIssuedAt === logoutIssuedAt) return signedInAt <= endedAt;
  return data.idTokenIssuedAt < logoutIssuedAt;
}

/** The index sets a session belongs in: its user's, and its provider session's. */
function setsOf(data: AppSessionData): { kind: 'user' | 'sid'; value: string }[] {
  const sets: { kind: 'user' | 'sid'; value: string }[] = [];
  if (data.userinfo) sets.push({ kind: 'user', value: data.userinfo.sub });
  if (data.sid !== undefined) sets.push({ kind: 'sid', value: data.sid });
  return sets;
}
