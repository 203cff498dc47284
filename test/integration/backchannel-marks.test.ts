import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredSession } from '../../src/sessions/session-data.js';
import type { SessionStore } from '../../src/sessions/session-registry.js';
import { createSessionStore, storeAnswers } from '../../src/sessions/create-session-store.js';
import { loadConfig } from '../../src/config.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

const unique = () => randomBytes(8).toString('hex');
let redis: RedisServer | undefined;

function record(userId: string, idTokenIssuedAt: number): StoredSession {
  const now = Math.floor(Date.now() / 1000);
  return {
    header: { iat: now, uat: now, exp: now + 600 },
    data: {
      sid: `sid-${unique()}`,
      handle: unique(),
      signedInAt: Date.now(),
      idTokenIssuedAt,
      userinfo: { sub: userId },
    },
    cookie: { expires: (now + 600) * 1000, maxAge: 600_000 },
  };
}

/**
 * A sub-only back-channel logout guards sign-ins still under way with one mark per user,
 * `<logout iat> <ender's clock>`. Logout tokens are accepted for 10 minutes and may arrive out of
 * order (a provider's retry, a slow queue, two instances): when each logout overwrote the mark, an
 * older one arriving after a newer one lowered it, and a sign-in whose ID token the provider issued
 * before the newer logout survived it. The mark is only ever raised now.
 */
describe.each([
  ['in memory', () => ({})],
  ['in Redis', () => ({ REDIS_URL: redis?.url ?? 'redis://127.0.0.1:1' })],
])('an older sub-only logout arriving after a newer one (%s)', (where, env) => {
  let store: SessionStore;
  beforeAll(async () => {
    if (where === 'in Redis') redis = await startRedisServer();
    store = await createSessionStore(
      loadConfig({ NODE_ENV: 'test', SECRET: 'marks-secret-'.padEnd(40, 'x'), ...env() }),
      pino({ level: 'silent' }),
    );
    expect(await storeAnswers(store, 5000)).toBe(true);
  });
  afterAll(async () => {
    await store.close();
    await redis?.close();
    redis = undefined;
  });

  it('still ends a sign-in issued before the newer logout when an older one arrives after it', async () => {
    const user = `u-${unique()}`;
    const providerNow = Date.now();
    // The newer logout (the user logged out at the provider a minute ago) arrives first...
    await store.endProviderSessions({
      sub: user,
      jti: unique(),
      issuedAt: providerNow - 60_000,
      acceptedUntil: providerNow + 540_000,
    });
    // ...then an older one (five minutes old, still within the 10 minutes a token is accepted).
    await store.endProviderSessions({
      sub: user,
      jti: unique(),
      issuedAt: providerNow - 5 * 60_000,
      acceptedUntil: providerNow + 300_000,
    });

    // A sign-in whose ID token the provider issued two minutes ago (before the newer logout) writes now.
    const id = store.ids.generate();
    await promisify(store.set.bind(store))(id, record(user, providerNow - 2 * 60_000));
    expect(await promisify(store.get.bind(store))(id)).toBeNull();
    // One whose ID token came after the newer logout is a new sign-in.
    const later = store.ids.generate();
    await promisify(store.set.bind(store))(later, record(user, providerNow - 30_000));
    expect(await promisify(store.get.bind(store))(later)).not.toBeNull();
  });
});
