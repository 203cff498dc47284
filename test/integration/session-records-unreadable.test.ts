import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipRedisTests, type RedisServer } from '../support/redis-server.js';
import { startRedisTestStack, type RedisTestStack } from '../support/redis-test-stack.js';
import { signedInBrowser } from '../support/sign-in.js';
import { redisKeyOf } from '../support/stored-session.js';
import type { TestStack } from '../support/test-stack.js';

/**
 * A record that is truncated or otherwise changed in storage does not open and reads as no
 * session, also when the change breaks the JSON connect-redis wraps the sealed text in (its
 * JSON.parse would otherwise throw, and the store would report "unavailable": a 503 for as long as
 * the value stays there).
 */
describe.skipIf(skipRedisTests)('a session record changed in Redis so that it is no longer JSON', () => {
  let redis: RedisServer | undefined;
  let stack: TestStack;
  let running: RedisTestStack | undefined;
  beforeAll(async () => {
    running = await startRedisTestStack();
    ({ redis, stack } = running);
  });
  afterAll(() => running?.close());

  /** Cuts the stored record in half, keeping its TTL, as a truncated copy or a partial restore would. */
  async function truncate(cookie: string): Promise<void> {
    if (!redis) throw new Error('setup failed');
    const key = redisKeyOf(stack.store, cookie);
    const raw = String(await redis.command(['GET', key]));
    expect(raw.startsWith('{"sealed":')).toBe(true);
    await redis.command(['SET', key, raw.slice(0, Math.floor(raw.length / 2)), 'KEEPTTL']);
  }

  it('reads as no session: the visitor is sent to sign in, not shown the 503 page on every request', async () => {
    const { browser, cookie } = await signedInBrowser(stack.appOrigin);
    await truncate(cookie);
    const profile = await browser.get(`${stack.appOrigin}/profile`);
    expect(profile.status).toBe(302);
  });

  it("does not stop the user's other sessions from listing /sessions and ending the others", async () => {
    const laptop = await signedInBrowser(stack.appOrigin);
    const phone = await signedInBrowser(stack.appOrigin);
    const broken = await signedInBrowser(stack.appOrigin);
    await truncate(broken.cookie);

    expect((await laptop.browser.get(`${stack.appOrigin}/sessions`)).status).toBe(200);
    const ended = await laptop.browser.post(
      `${stack.appOrigin}/sessions/end-others`,
      { _csrf: laptop.csrf },
      { origin: stack.appOrigin },
    );
    expect(ended.status).toBe(303);
    expect((await phone.browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
  });
});
