import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipRedisTests, type RedisServer } from '../support/redis-server.js';
import { startRedisTestStack, type RedisTestStack } from '../support/redis-test-stack.js';
import { signedInBrowser } from '../support/sign-in.js';
import type { TestStack } from '../support/test-stack.js';
import { openedRecords, redisKeyOf, redisRecords, storageKeyOf } from '../support/stored-session.js';

describe.skipIf(skipRedisTests)('session writes with Redis', () => {
  let redis: RedisServer | undefined;
  let stack: TestStack;
  let running: RedisTestStack | undefined;
  beforeAll(async () => {
    running = await startRedisTestStack();
    ({ redis, stack } = running);
  });
  afterAll(() => running?.close());

  const records = () => {
    if (!redis) throw new Error('no Redis');
    return openedRecords(redisRecords(redis), stack.config.secrets);
  };

  it('does not rewrite an unchanged session in Redis on every page view, and does once it is a minute old', async () => {
    const { browser, cookie } = await signedInBrowser(stack.appOrigin);
    const key = redisKeyOf(stack.store, cookie);
    const before = String(await redis?.command(['GET', key]));
    for (let i = 0; i < 3; i += 1) expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    expect(String(await redis?.command(['GET', key]))).toBe(before);

    const storageKey = storageKeyOf(stack.store, cookie);
    const aged = await records().read(storageKey);
    if (!aged) throw new Error('no stored session');
    aged.header.uat -= 61;
    await records().write(storageKey, aged);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    expect((await records().read(storageKey))?.header.uat).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 1);
  });
});
