import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { demoUsers } from '../../src/dev-provider/demo-users.js';
import { skipRedisTests, type RedisServer } from '../support/redis-server.js';
import { startRedisTestStack, type RedisTestStack } from '../support/redis-test-stack.js';
import { signedInBrowser } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]*/;

/** Every key in the Redis database and everything stored under it, as text. */
async function everythingIn(redis: RedisServer): Promise<string[]> {
  const keys = (await redis.command(['KEYS', '*'])) as string[];
  const texts = [...keys];
  for (const key of keys) {
    const type = String(await redis.command(['TYPE', key]));
    if (type === 'string') texts.push(String(await redis.command(['GET', key])));
    else if (type === 'zset') texts.push(...((await redis.command(['ZRANGE', key, '0', '-1'])) as string[]));
    else texts.push(`unexpected ${type} at ${key}`);
  }
  return texts;
}

describe.skipIf(skipRedisTests)('what Redis holds after a sign-in', () => {
  let redis: RedisServer | undefined;
  let stack: TestStack;
  let running: RedisTestStack | undefined;
  let cookie: string;
  beforeAll(async () => {
    running = await startRedisTestStack();
    ({ redis, stack } = running);
    const signedIn = await signedInBrowser(stack.appOrigin);
    cookie = signedIn.cookie;
    expect((await signedIn.browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
  });
  afterAll(() => running?.close());

  it('is enough to find nothing usable or personal: no cookie, no session id, no token, no claim', async () => {
    const alice = demoUsers[0];
    if (!alice || !redis) throw new Error('setup failed');
    const texts = await everythingIn(redis);
    expect(texts.length).toBeGreaterThan(2);
    const all = texts.join('\n');
    const [id = '', signature = ''] = cookie.split('.');
    for (const secret of [
      cookie,
      id,
      signature,
      alice.email,
      alice.name,
      alice.family_name,
      alice.sub,
      alice.sub.split('|')[1] ?? alice.sub,
    ]) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toMatch(JWT);
  });

  it('keeps the session through a SECRET rotation: an instance with SECRET=new,old shows the profile, and one with only the new secret does not', async () => {
    if (!redis) throw new Error('setup failed');
    const old = stack.config.secrets.join(',');
    const fresh = 'rotated-secret-'.padEnd(40, 'r');
    const rotated = await startTestStack({ env: { REDIS_URL: redis.url, SECRET: `${fresh},${old}` } });
    const dropped = await startTestStack({ env: { REDIS_URL: redis.url, SECRET: fresh } });
    try {
      const profile = await new TestBrowser().get(`${rotated.appOrigin}/profile`, { cookie: `session=${cookie}` });
      expect(profile.status).toBe(200);
      expect(profile.text).toContain('Alice Liddell');
      expect(
        (await new TestBrowser().get(`${dropped.appOrigin}/profile`, { cookie: `session=${cookie}` })).status,
      ).toBe(302);
    } finally {
      await rotated.close();
      await dropped.close();
    }
  });
});
