import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredSession } from '../../src/sessions/session-data.js';
import type { SessionStore } from '../../src/sessions/session-registry.js';
import { createSessionStore, storeAnswers } from '../../src/sessions/create-session-store.js';
import { loadConfig } from '../../src/config.js';
import { skipRedisTests, startRedisServer, type RedisServer } from '../support/redis-server.js';

/**
 * Races between instances found by attacking the store (README "What storage holds", the ended
 * marks, the per-user cap), each against real Redis through the production factory, with two
 * stores over one Redis as two instances (or two SECRET lists of a rolling deploy) would be.
 */

const OLD = 'attack-old-secret-'.padEnd(40, 'o');
const NEW = 'attack-new-secret-'.padEnd(40, 'n');
const TIMEOUT_MS = 200;

const unique = () => randomBytes(8).toString('hex');

function record(
  userId: string,
  {
    idleFor = 0,
    signedInAt = Date.now(),
    idTokenIssuedAt,
  }: { idleFor?: number; signedInAt?: number; idTokenIssuedAt?: number } = {},
): StoredSession {
  const now = Math.floor(Date.now() / 1000);
  return {
    header: { iat: now - idleFor, uat: now - idleFor, exp: now + 600 },
    data: { sid: `sid-${unique()}`, handle: unique(), signedInAt, idTokenIssuedAt, userinfo: { sub: userId } },
    cookie: { expires: (now + 600) * 1000, maxAge: 600_000 },
  };
}

const put = (store: SessionStore, id: string, value: StoredSession) => promisify(store.set.bind(store))(id, value);
const fetch = (store: SessionStore, id: string) => promisify(store.get.bind(store))(id);
const destroy = (store: SessionStore, id: string) => promisify(store.destroy.bind(store))(id);

describe.skipIf(skipRedisTests)('the Redis session store, shared by instances that race', () => {
  let redis: RedisServer | undefined;
  const stores: SessionStore[] = [];
  const storeWith = async (secrets: string, env: Record<string, string> = {}) => {
    const config = loadConfig({
      NODE_ENV: 'test',
      SECRET: secrets,
      REDIS_URL: redis?.url ?? 'redis://127.0.0.1:1',
      REDIS_TIMEOUT_MS: String(TIMEOUT_MS),
      ...env,
    });
    const store = await createSessionStore(config, pino({ level: 'silent' }));
    stores.push(store);
    expect(await storeAnswers(store, 5000)).toBe(true);
    return store;
  };
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await redis?.close();
  });

  it('never brings back a session ended on another instance when a touch already under way reaches Redis late', async () => {
    if (!redis) throw new Error('setup failed');
    const server = redis;
    const w = await storeWith(OLD);
    const e = await storeWith(OLD);
    const id = w.ids.generate();
    await put(w, id, record(`u-${unique()}`, { idleFor: 120 }));
    // Instance W reads the session for a page view whose touch is due...
    const held = await fetch(w, id);
    if (!held) throw new Error('no session');
    // ...instance E ends it (logout, /sessions, back-channel logout: all go through end())...
    await destroy(e, id);
    expect(await fetch(e, id)).toBeNull();
    // ...and W's touch is sent while Redis stalls for a moment (a fork, a slow command, a lagging
    // link). W gives up after REDIS_TIMEOUT_MS and reconnects, so the check after the write never runs.
    const touched: StoredSession = { ...held, header: { ...held.header, uat: Math.floor(Date.now() / 1000) } };
    server.freeze();
    let outcome: string;
    try {
      outcome = await put(w, id, touched).then(
        () => 'written',
        () => 'failed',
      );
      await sleep(TIMEOUT_MS);
    } finally {
      server.thaw();
    }
    expect(outcome).toBe('failed');
    await sleep(300);
    // The logged-out cookie must stay dead on every instance.
    expect(await fetch(e, id)).toBeNull();
  });

  it('keeps a user within MAX_SESSIONS_PER_USER through a SECRET rotation, counting sessions indexed under the old secret', async () => {
    const user = `u-${unique()}`;
    const before = await storeWith(OLD, { MAX_SESSIONS_PER_USER: '2' });
    const after = await storeWith(`${NEW},${OLD}`, { MAX_SESSIONS_PER_USER: '2' });
    // Step 2 of the rotation: instances still on SECRET=old,new seal and index under the old secret.
    await put(before, before.ids.generate(), record(user, { idleFor: 30 }));
    await put(before, before.ids.generate(), record(user, { idleFor: 20 }));
    await put(after, after.ids.generate(), record(user, { idleFor: 10 }));
    await put(after, after.ids.generate(), record(user));
    expect((await after.sessionsOf(user)).length).toBeLessThanOrEqual(2);
  });

  it('leaves the user signed in somewhere when two sign-ins beyond the cap complete at once', async () => {
    const user = `u-${unique()}`;
    const store = await storeWith(OLD, { MAX_SESSIONS_PER_USER: '1' });
    const other = await storeWith(OLD, { MAX_SESSIONS_PER_USER: '1' });
    await put(store, store.ids.generate(), record(user, { idleFor: 60 }));
    const phone = store.ids.generate();
    const laptop = other.ids.generate();
    await Promise.all([put(store, phone, record(user)), put(other, laptop, record(user))]);
    const survivors = [await fetch(store, phone), await fetch(store, laptop)].filter((found) => found !== null);
    // Two new sign-ins, a cap of one: one of them must survive (the cap asked for one session to end, not all).
    expect(survivors).toHaveLength(1);
  });

  it("ends a sign-in whose ID token the provider issued before a sub-only back-channel logout, whatever the instances' clocks say", async () => {
    const user = `u-${unique()}`;
    const signingIn = await storeWith(OLD);
    const ending = await storeWith(OLD);
    // The provider issued the ID token a second before the logout token; the instance that signed
    // the user in runs 30 s ahead (its signedInAt says "after the logout").
    const providerNow = Date.now();
    await ending.endProviderSessions({
      sub: user,
      jti: unique(),
      issuedAt: providerNow,
      acceptedUntil: providerNow + 600_000,
    });
    const id = signingIn.ids.generate();
    await put(signingIn, id, record(user, { signedInAt: providerNow + 30_000, idTokenIssuedAt: providerNow - 1000 }));
    expect(await fetch(signingIn, id)).toBeNull();
    // A sign-in whose ID token came after the logout is a new one, however the clocks differ.
    const later = signingIn.ids.generate();
    await put(
      signingIn,
      later,
      record(user, { signedInAt: providerNow - 30_000, idTokenIssuedAt: providerNow + 1000 }),
    );
    expect(await fetch(signingIn, later)).not.toBeNull();
  });
});
