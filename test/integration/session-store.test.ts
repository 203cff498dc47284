import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredSession } from '../../src/auth/session-data.js';
import type { AppSessionStore } from '../../src/auth/session-registry.js';
import { createSessionStore, storeAnswers } from '../../src/auth/session-store.js';
import { loadConfig } from '../../src/config.js';
import { skipRedisTests, startRedisServer, type RedisServer } from '../support/redis-server.js';

interface Made {
  userId?: string;
  sid?: string;
  signedInAt?: number;
  expiresInMs?: number;
  userAgent?: string;
}

function record({ userId = 'alice', sid, signedInAt = Date.now(), expiresInMs = 60_000, userAgent = 'Firefox' }: Made = {}): StoredSession {
  const now = Math.floor(Date.now() / 1000);
  return {
    header: { iat: now, uat: now, exp: now + Math.ceil(expiresInMs / 1000) },
    data: {
      id_token: 'x.y.z',
      sid,
      handle: randomBytes(8).toString('hex'),
      signedInAt,
      userAgent,
      userinfo: { sub: userId, name: userId },
    },
    cookie: { expires: Date.now() + expiresInMs, maxAge: expiresInMs },
  };
}

const newId = () => randomBytes(16).toString('hex');

function put(store: AppSessionStore, id: string, value: StoredSession): Promise<void> {
  return promisify(store.set.bind(store))(id, value);
}

function fetch(store: AppSessionStore, id: string): Promise<StoredSession | null | undefined> {
  return promisify(store.get.bind(store))(id);
}

function destroy(store: AppSessionStore, id: string): Promise<void> {
  return promisify(store.destroy.bind(store))(id);
}

/** The same behaviour is required of both stores: the app cannot tell which one it was given. */
function describeStore(name: string, makeEnv: () => Record<string, string>, skip = false) {
  describe.skipIf(skip)(name, () => {
    let store: AppSessionStore;
    beforeAll(async () => {
      store = createSessionStore(loadConfig({ NODE_ENV: 'test', SECRET: 'test-secret-'.padEnd(40, 'x'), ...makeEnv() }), pino({ level: 'silent' }));
      expect(await storeAnswers(store, 5000)).toBe(true);
    });
    afterAll(() => store.close());

    it("lists a user's live sessions, most recently used first, with what /sessions shows", async () => {
      const user = `u-${newId()}`;
      const older = record({ userId: user, userAgent: 'old browser' });
      older.header.uat -= 60;
      const newer = record({ userId: user, userAgent: 'new browser' });
      await put(store, newId(), older);
      await put(store, newId(), newer);
      await put(store, newId(), record({ userId: `someone-else-${newId()}` }));
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
      const user = `u-${newId()}`;
      const id = newId();
      await put(store, id, record({ userId: user }));
      await destroy(store, id);
      expect(await store.sessionsOf(user)).toEqual([]);
      expect(await fetch(store, id)).toBeNull();
    });

    it('stops listing a session when it expires', async () => {
      const user = `u-${newId()}`;
      await put(store, newId(), record({ userId: user, expiresInMs: 1200 }));
      expect(await store.sessionsOf(user)).toHaveLength(1);
      await sleep(1300);
      expect(await store.sessionsOf(user)).toEqual([]);
    });

    it("ends only the named sessions, and only that user's", async () => {
      const user = `u-${newId()}`;
      const [keep, end] = [newId(), newId()];
      const ending = record({ userId: user });
      await put(store, keep, record({ userId: user }));
      await put(store, end, ending);
      const otherUsers = record({ userId: `other-${newId()}` });
      const otherId = newId();
      await put(store, otherId, otherUsers);

      const handleOfOther = otherUsers.data.handle ?? '';
      expect(await store.endSessions(user, [ending.data.handle ?? '', handleOfOther])).toBe(1);
      expect(await fetch(store, end)).toBeNull();
      expect(await fetch(store, keep)).not.toBeNull();
      expect(await fetch(store, otherId)).not.toBeNull();
    });

    it('ends the sessions of one provider session (sid) and keeps the others of that user', async () => {
      const user = `u-${newId()}`;
      const sid = `sid-${newId()}`;
      const [inSid, elsewhere] = [newId(), newId()];
      await put(store, inSid, record({ userId: user, sid }));
      await put(store, elsewhere, record({ userId: user, sid: `sid-${newId()}` }));
      expect(await store.endProviderSessions({ sid, sub: user, jti: newId() })).toBe(1);
      expect(await fetch(store, inSid)).toBeNull();
      expect(await fetch(store, elsewhere)).not.toBeNull();
    });

    it('ends every session of a user (sub only), but not a sign-in that completes afterwards', async () => {
      const user = `u-${newId()}`;
      const [first, second] = [newId(), newId()];
      await put(store, first, record({ userId: user, sid: 'a' }));
      await put(store, second, record({ userId: user, sid: 'b' }));
      expect(await store.endProviderSessions({ sub: user, jti: newId() })).toBe(2);
      expect(await store.sessionsOf(user)).toEqual([]);

      await sleep(5);
      const later = newId();
      await put(store, later, record({ userId: user, signedInAt: Date.now() }));
      expect(await fetch(store, later)).not.toBeNull();
    });

    it('refuses to write back a session that was ended while a request held it', async () => {
      const user = `u-${newId()}`;
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
      const user = `u-${newId()}`;
      const signedInAt = Date.now();
      await sleep(5);
      await store.endProviderSessions({ sub: user, jti: newId() });
      const id = newId();
      await put(store, id, record({ userId: user, signedInAt }));
      expect(await fetch(store, id)).toBeNull();
    });

    it('acts on a logout token only once', async () => {
      const user = `u-${newId()}`;
      const jti = newId();
      await put(store, newId(), record({ userId: user, sid: 's1' }));
      expect(await store.endProviderSessions({ sub: user, sid: 's1', jti })).toBe(1);
      await put(store, newId(), record({ userId: user, sid: 's1', signedInAt: Date.now() + 1 }));
      expect(await store.endProviderSessions({ sub: user, sid: 's1', jti })).toBe(0);
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

describeStore('the in-memory session store', () => ({}));

describe.skipIf(skipRedisTests)('with Redis', () => {
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.close());

  describeStore('the Redis session store', () => ({ REDIS_URL: redis?.url ?? 'redis://127.0.0.1:1' }));
});
