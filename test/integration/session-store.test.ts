import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySessionIndex } from '../../src/sessions/stores/memory-session-index.js';
import { MemoryRecordStore } from '../../src/sessions/stores/memory-record-store.js';
import type { StoredSession } from '../../src/sessions/session-data.js';
import type { SessionStore } from '../../src/sessions/session-registry.js';
import {
  assembleSessionStore,
  createStoreBackends,
  storeAnswers,
  type StoreBackends,
} from '../../src/sessions/create-session-store.js';
import { deriveSecretKeys } from '../../src/sessions/session-keys.js';
import { loadConfig } from '../../src/config.js';
import { skipRedisTests, startRedisServer, type RedisServer } from '../support/redis-server.js';

interface Made {
  userId?: string;
  sid?: string;
  signedInAt?: number;
  expiresInMs?: number;
  userAgent?: string;
  /** Seconds since the last use. */
  idleFor?: number;
  /** Seconds since sign-in. */
  age?: number;
}

const EMAIL = 'carol.secret@example.com';
const NAME = 'Carol Confidential';
const ID_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjYXJvbCJ9.c2lnbmF0dXJl';

function record({
  userId = 'alice',
  sid,
  signedInAt = Date.now(),
  expiresInMs = 60_000,
  userAgent = 'Firefox',
  idleFor = 0,
  age = 0,
}: Made = {}): StoredSession {
  const now = Math.floor(Date.now() / 1000);
  return {
    header: { iat: now - age, uat: now - idleFor, exp: now + Math.ceil(expiresInMs / 1000) },
    data: {
      id_token: ID_TOKEN,
      sid,
      handle: randomBytes(8).toString('hex'),
      signedInAt,
      userAgent,
      userinfo: { sub: userId, name: NAME, email: EMAIL },
    },
    cookie: { expires: Date.now() + expiresInMs, maxAge: expiresInMs },
  };
}

const unique = () => randomBytes(8).toString('hex');
const SECRET_A = 'secret-a-'.padEnd(40, 'a');
const SECRET_B = 'secret-b-'.padEnd(40, 'b');

function put(store: SessionStore, id: string, value: StoredSession): Promise<void> {
  return promisify(store.set.bind(store))(id, value);
}

function fetch(store: SessionStore, id: string): Promise<StoredSession | null | undefined> {
  return promisify(store.get.bind(store))(id);
}

function destroy(store: SessionStore, id: string): Promise<void> {
  return promisify(store.destroy.bind(store))(id);
}

/** Everything handed to the storage beneath the store (keys, members, values, mark lifetimes), as text. */
interface Recorded {
  texts: string[];
  marks: { key: string; ttlMs: number }[];
}

/** The backends, with every argument they are given recorded on the way through. */
function recorded(backends: StoreBackends, into: Recorded): StoreBackends {
  const spy = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property, receiver) {
        const value = Reflect.get(object, property, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          for (const arg of args)
            if (typeof arg !== 'function') into.texts.push(typeof arg === 'string' ? arg : JSON.stringify(arg));
          if (property === 'mark') into.marks.push({ key: String(args[0]), ttlMs: Number(args[2]) });
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        };
      },
    });
  return { ...backends, records: spy(backends.records), index: spy(backends.index) };
}

/** The same behaviour is required of both stores: the app cannot tell which one it was given. */
function describeStore(name: string, makeBackends: () => StoreBackends | Promise<StoreBackends>) {
  describe(name, () => {
    const seen: Recorded = { texts: [], marks: [] };
    let shared: StoreBackends;
    let store: SessionStore;
    const configFor = (secrets: string, env: Record<string, string> = {}) =>
      loadConfig({ NODE_ENV: 'test', SECRET: secrets, ...env });
    /** Another store over the same storage, as another instance (or this one after a restart) would be. */
    const storeWith = (secrets: string, env?: Record<string, string>) =>
      assembleSessionStore(recorded(shared, seen), configFor(secrets, env), pino({ level: 'silent' }));
    beforeAll(async () => {
      shared = await makeBackends();
      store = storeWith(SECRET_A, { MAX_SESSIONS_PER_USER: '3' });
      expect(await storeAnswers(store, 5000)).toBe(true);
    });
    afterAll(() => store.close());
    const newId = () => store.ids.generate();

    it("lists a user's live sessions, most recently used first, with what /sessions shows", async () => {
      const user = `u-${unique()}`;
      const older = record({ userId: user, userAgent: 'old browser', idleFor: 60 });
      const newer = record({ userId: user, userAgent: 'new browser' });
      await put(store, newId(), older);
      await put(store, newId(), newer);
      await put(store, newId(), record({ userId: `someone-else-${unique()}` }));
      const listed = await store.sessionsOf(user);
      expect(listed.map((session) => session.userAgent)).toEqual(['new browser', 'old browser']);
      expect(listed[0]).toEqual({
        handle: newer.data.handle,
        signedInAt: newer.data.signedInAt,
        lastSeenAt: newer.header.uat * 1000,
        expiresAt: newer.cookie.expires,
        userAgent: 'new browser',
      });
    });

    it('stops listing a session once it is destroyed', async () => {
      const user = `u-${unique()}`;
      const id = newId();
      await put(store, id, record({ userId: user }));
      await destroy(store, id);
      expect(await store.sessionsOf(user)).toEqual([]);
      expect(await fetch(store, id)).toBeNull();
    });

    it('stops listing a session when it expires', async () => {
      const user = `u-${unique()}`;
      await put(store, newId(), record({ userId: user, expiresInMs: 1200 }));
      expect(await store.sessionsOf(user)).toHaveLength(1);
      await sleep(1300);
      expect(await store.sessionsOf(user)).toEqual([]);
    });

    it("ends only the named sessions, and only that user's", async () => {
      const user = `u-${unique()}`;
      const [keep, end] = [newId(), newId()];
      const ending = record({ userId: user });
      await put(store, keep, record({ userId: user }));
      await put(store, end, ending);
      const otherUsers = record({ userId: `other-${unique()}` });
      const otherId = newId();
      await put(store, otherId, otherUsers);

      const handleOfOther = otherUsers.data.handle ?? '';
      expect(await store.endSessions(user, [ending.data.handle ?? '', handleOfOther])).toBe(1);
      expect(await fetch(store, end)).toBeNull();
      expect(await fetch(store, keep)).not.toBeNull();
      expect(await fetch(store, otherId)).not.toBeNull();
    });

    it('ends the sessions of one provider session (sid) and keeps the others of that user', async () => {
      const user = `u-${unique()}`;
      const sid = `sid-${unique()}`;
      const [inSid, elsewhere] = [newId(), newId()];
      await put(store, inSid, record({ userId: user, sid }));
      await put(store, elsewhere, record({ userId: user, sid: `sid-${unique()}` }));
      expect(
        await store.endProviderSessions({
          sid,
          sub: user,
          jti: unique(),
          issuedAt: Date.now(),
          acceptedUntil: Date.now() + 600_000,
        }),
      ).toBe(1);
      expect(await fetch(store, inSid)).toBeNull();
      expect(await fetch(store, elsewhere)).not.toBeNull();
    });

    it('ends every session of a user (sub only), but not a sign-in that completes afterwards', async () => {
      const user = `u-${unique()}`;
      const [first, second] = [newId(), newId()];
      await put(store, first, record({ userId: user, sid: 'a' }));
      await put(store, second, record({ userId: user, sid: 'b' }));
      expect(
        await store.endProviderSessions({
          sub: user,
          jti: unique(),
          issuedAt: Date.now(),
          acceptedUntil: Date.now() + 600_000,
        }),
      ).toBe(2);
      expect(await store.sessionsOf(user)).toEqual([]);

      await sleep(5);
      const later = newId();
      await put(store, later, record({ userId: user, signedInAt: Date.now() }));
      expect(await fetch(store, later)).not.toBeNull();
    });

    it('refuses to write back a session that was ended while a request held it', async () => {
      const user = `u-${unique()}`;
      const id = newId();
      const held = record({ userId: user });
      await put(store, id, held);
      await store.endSessions(user, [held.data.handle ?? '']);
      // The request that read it before the end now finishes and writes it, as the library does.
      await put(store, id, held);
      expect(await fetch(store, id)).toBeNull();
      expect(await store.sessionsOf(user)).toEqual([]);
    });

    it('refuses a session signed in before a logout of its user, even when written after it', async () => {
      const user = `u-${unique()}`;
      const signedInAt = Date.now();
      await sleep(5);
      await store.endProviderSessions({
        sub: user,
        jti: unique(),
        issuedAt: Date.now(),
        acceptedUntil: Date.now() + 600_000,
      });
      const id = newId();
      await put(store, id, record({ userId: user, signedInAt }));
      expect(await fetch(store, id)).toBeNull();
    });

    it('acts on a logout token only once', async () => {
      const user = `u-${unique()}`;
      const jti = unique();
      await put(store, newId(), record({ userId: user, sid: 's1' }));
      expect(
        await store.endProviderSessions({
          sub: user,
          sid: 's1',
          jti,
          issuedAt: Date.now(),
          acceptedUntil: Date.now() + 600_000,
        }),
      ).toBe(1);
      await put(store, newId(), record({ userId: user, sid: 's1', signedInAt: Date.now() + 1 }));
      expect(
        await store.endProviderSessions({
          sub: user,
          sid: 's1',
          jti,
          issuedAt: Date.now(),
          acceptedUntil: Date.now() + 600_000,
        }),
      ).toBe(0);
    });

    it('answers null, without asking the storage, for an id it did not sign', async () => {
      const before = seen.texts.length;
      expect(await fetch(store, `${'0'.repeat(32)}.${'A'.repeat(43)}`)).toBeNull();
      expect(await fetch(store, 'not-a-session')).toBeNull();
      expect(seen.texts.length).toBe(before);
    });

    it('keeps nothing usable or personal in storage: no id, cookie value, token, email, name, user id or provider session id', async () => {
      const user = `auth0|${unique()}`;
      const sid = `provider-session-${unique()}`;
      const jti = `token-${unique()}`;
      const ids = [newId(), newId()];
      seen.texts.length = 0;
      await put(store, ids[0] ?? '', record({ userId: user, sid }));
      await put(store, ids[1] ?? '', record({ userId: user }));
      await store.sessionsOf(user);
      await destroy(store, ids[1] ?? '');
      await store.endProviderSessions({
        sub: user,
        sid,
        jti,
        issuedAt: Date.now(),
        acceptedUntil: Date.now() + 600_000,
      });
      const all = seen.texts.join('\n');
      expect(seen.texts.length).toBeGreaterThan(10);
      for (const secret of [
        ...ids,
        ...ids.map((id) => id.split('.')[0] ?? id),
        user,
        sid,
        jti,
        EMAIL,
        NAME,
        ID_TOKEN,
        'Firefox',
      ]) {
        expect(all).not.toContain(secret);
      }
      expect(all).not.toMatch(/eyJ[\w-]+\./);
    });

    it('refuses a record copied under another session: write access to storage does not hand a session to another cookie', async () => {
      const [victim, attacker] = [newId(), newId()];
      await put(store, victim, record({ userId: `victim-${unique()}` }));
      await put(store, attacker, record({ userId: `attacker-${unique()}` }));
      const keyOf = (id: string) => store.ids.storageKeyOf(id) ?? '';
      const raw = await promisify(shared.records.get.bind(shared.records))(keyOf(victim));
      if (!raw) throw new Error('no record');
      await promisify(shared.records.set.bind(shared.records))(keyOf(attacker), raw);
      expect(await fetch(store, attacker)).toBeNull();
      expect(await fetch(store, victim)).not.toBeNull();
    });

    it('keeps sessions working through a SECRET rotation: the first secret seals, every secret opens', async () => {
      const user = `u-${unique()}`;
      const [touchedSid, untouchedSid] = [`sid-${unique()}`, `sid-${unique()}`];
      const [touched, untouched] = [newId(), newId()];
      await put(store, touched, record({ userId: user, sid: touchedSid }));
      await put(store, untouched, record({ userId: user, sid: untouchedSid }));
      const sealedWith = async (id: string) =>
        (await promisify(shared.records.get.bind(shared.records))(store.ids.storageKeyOf(id) ?? ''))?.sealed.split(
          '.',
        )[0];
      const [keysA, keysB] = [deriveSecretKeys([SECRET_A])[0]?.id, deriveSecretKeys([SECRET_B])[0]?.id];
      expect(await sealedWith(touched)).toBe(keysA);

      // Step 1: the new secret is added last everywhere; nothing changes.
      const added = storeWith(`${SECRET_A},${SECRET_B}`);
      expect((await fetch(added, touched))?.data.userinfo?.sub).toBe(user);
      // Step 2: the new secret goes first. Sessions sealed under the old one still open, and are
      // sealed again with the new one when written; new sessions are signed and sealed with it.
      const rotated = storeWith(`${SECRET_B},${SECRET_A}`);
      const stored = await fetch(rotated, touched);
      if (!stored) throw new Error('the session did not survive the rotation');
      await put(rotated, touched, { ...stored, header: { ...stored.header, uat: stored.header.uat + 1 } });
      expect(await sealedWith(touched)).toBe(keysB);
      expect(await sealedWith(untouched)).toBe(keysA);
      expect(await rotated.sessionsOf(user)).toHaveLength(2);
      const fresh = rotated.ids.generate();
      await put(rotated, fresh, record({ userId: user }));
      expect(await fetch(rotated, fresh)).not.toBeNull();
      expect(await fetch(store, fresh)).toBeNull();
      // A back-channel logout through an instance with the new secret finds a session indexed under the old one only.
      expect(
        await rotated.endProviderSessions({
          sid: untouchedSid,
          jti: unique(),
          issuedAt: Date.now(),
          acceptedUntil: Date.now() + 600_000,
        }),
      ).toBe(1);
      expect(await fetch(store, untouched)).toBeNull();
      // Step 3: the old secret is dropped: what only it signed is signed out.
      const dropped = storeWith(SECRET_B);
      expect(await fetch(dropped, touched)).toBeNull();
      expect(await fetch(dropped, fresh)).not.toBeNull();
    });

    it('ends the least recently used session of a user who signs in beyond MAX_SESSIONS_PER_USER (3 here), never the new one', async () => {
      const user = `u-${unique()}`;
      const ids = [newId(), newId(), newId(), newId(), newId()];
      const [oldest, older, recent, other, fresh] = ids.map((id) => id);
      const earlier = Date.now() - 400_000;
      await put(store, oldest ?? '', record({ userId: user, idleFor: 300, signedInAt: earlier }));
      await put(store, recent ?? '', record({ userId: user, idleFor: 10, signedInAt: earlier + 1 }));
      await put(store, older ?? '', record({ userId: user, idleFor: 200, signedInAt: earlier + 2 }));
      expect(await store.sessionsOf(user)).toHaveLength(3);
      await put(store, fresh ?? '', record({ userId: user }));
      expect(await fetch(store, oldest ?? '')).toBeNull();
      expect(await store.sessionsOf(user)).toHaveLength(3);
      await put(store, other ?? '', record({ userId: `someone-else-${unique()}` }));
      expect(await store.sessionsOf(user)).toHaveLength(3);
      expect(await fetch(store, older ?? '')).not.toBeNull();
      // Writing one of the three again (a touch) ends nobody.
      const kept = await fetch(store, older ?? '');
      if (kept) await put(store, older ?? '', kept);
      expect(await store.sessionsOf(user)).toHaveLength(3);
    });

    it('keeps an ended mark only as long as the session it guards could have lived, not a whole absolute timeout', async () => {
      const user = `u-${unique()}`;
      const id = newId();
      // Twelve hours is the absolute timeout; this session signed in 11 h 58 min ago.
      await put(store, id, record({ userId: user, age: 12 * 3600 - 120 }));
      seen.marks.length = 0;
      await destroy(store, id);
      const [ended] = seen.marks;
      expect(ended?.ttlMs).toBeGreaterThan(60_000);
      expect(ended?.ttlMs).toBeLessThanOrEqual(3 * 60_000 + 1000);

      seen.marks.length = 0;
      await store.endProviderSessions({
        sid: `sid-${unique()}`,
        sub: user,
        jti: unique(),
        issuedAt: Date.now(),
        acceptedUntil: Date.now() + 600_000,
      });
      expect(seen.marks.length).toBeGreaterThan(0);
      for (const mark of seen.marks) expect(mark.ttlMs).toBeLessThanOrEqual(11 * 60_000);
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

describeStore('the in-memory session store', () => ({
  records: new MemoryRecordStore(),
  index: new MemorySessionIndex(),
}));

describe.skipIf(skipRedisTests)('with Redis', () => {
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.close());

  describeStore('the Redis session store', () =>
    createStoreBackends(
      loadConfig({ NODE_ENV: 'test', SECRET: SECRET_A, REDIS_URL: redis?.url ?? 'redis://127.0.0.1:1' }),
      pino({ level: 'silent' }),
    ),
  );
});
