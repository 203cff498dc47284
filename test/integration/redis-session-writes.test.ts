import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipRedisTests, startRedisServer, type RedisServer } from '../support/redis-server.js';
import { signedInBrowser } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { storeIdOf } from '../support/stored-session.js';

describe.skipIf(skipRedisTests)('session writes with Redis', () => {
  let redis: RedisServer | undefined;
  let stack: TestStack;
  beforeAll(async () => {
    redis = await startRedisServer();
    stack = await startTestStack({ env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await stack.close();
    await redis?.close();
  });

  const stored = async (key: string) => JSON.parse(String(await redis?.command(['GET', key]))) as { header: { uat: number } };

  it('does not rewrite an unchanged session in Redis on every page view, and does once it is a minute old', async () => {
    const { browser, cookie } = await signedInBrowser(stack.appOrigin);
    const key = `sess:${storeIdOf(cookie)}`;
    const before = String(await redis?.command(['GET', key]));
    for (let i = 0; i < 3; i += 1) expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    expect(String(await redis?.command(['GET', key]))).toBe(before);

    const aged = await stored(key);
    aged.header.uat -= 61;
    await redis?.command(['SET', key, JSON.stringify(aged), 'KEEPTTL']);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    expect((await stored(key)).header.uat).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 1);
  });
});
