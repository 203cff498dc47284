import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createSessionStore } from '../../src/sessions/create-session-store.js';
import { captureLogs } from '../support/logs.js';
import { skipRedisTests, startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startLoneSentinel } from '../support/redis-sentinel.js';
import { eventually } from '../support/wait.js';

/** node-redis's Sentinel client gives up connecting after 16 rounds a second apart; ours then starts again. */
const GIVES_UP_WITHIN_MS = 25_000;
/** Longer than our pause (a second) before asking again. */
const QUIET_MS = 2500;

describe.skipIf(skipRedisTests)('an app started while its Sentinels name no primary', () => {
  let sentinel: Awaited<ReturnType<typeof startLoneSentinel>> | undefined;
  let redis: RedisServer | undefined;
  const connectionsSoFar = async (): Promise<number> => {
    const info = String(await sentinel?.command(['INFO', 'stats']));
    return Number(/total_connections_received:(\d+)/.exec(info)?.[1]);
  };

  beforeAll(async () => {
    [sentinel, redis] = await Promise.all([startLoneSentinel(), startRedisServer()]);
  });
  afterAll(async () => {
    await sentinel?.close();
    await redis?.close();
  });

  it('keeps asking (said once at warning level), connects once a primary is named, and stops asking when closed, even between rounds', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      REDIS_SENTINELS: `127.0.0.1:${sentinel?.port}`,
      REDIS_SENTINEL_NAME: 'sessions',
      REDIS_TIMEOUT_MS: '200',
      SECRET: 'x'.repeat(32),
    });
    const waiting = captureLogs();
    const closed = captureLogs();
    const waitingStore = await createSessionStore(config, waiting.logger);
    const closedStore = await createSessionStore(config, closed.logger).catch(async (error: unknown) => {
      await waitingStore.close();
      throw error;
    });
    const retries = (logs: ReturnType<typeof captureLogs>) =>
      logs.lines().filter((line) => line.event === 'redis.sentinel_retry');
    try {
      await eventually(() => retries(closed).length >= 1, GIVES_UP_WITHIN_MS, 'the Sentinel client to give up once');
      // In the pause before the next round: that round must never start.
      await closedStore.close();
      const closedAt = closed.lines().length;
      await expect(waitingStore.ping()).rejects.toThrow();
      expect(retries(waiting).filter((line) => line.level === 40)).toHaveLength(1);

      const port = new URL(redis?.url ?? '').port;
      await sentinel?.command(['SENTINEL', 'MONITOR', 'sessions', '127.0.0.1', port, '1']);
      await eventually(
        () =>
          waitingStore.ping().then(
            () => true,
            () => false,
          ),
        GIVES_UP_WITHIN_MS,
        'the store to connect to the primary the Sentinel now names',
      );
      await sleep(QUIET_MS);
      // The closed one neither asked again nor connected: it has said nothing since.
      expect(closed.lines().slice(closedAt)).toEqual([]);
    } finally {
      await closedStore.close();
      await waitingStore.close();
    }
    const asked = await connectionsSoFar();
    await sleep(QUIET_MS);
    // One more: connectionsSoFar's own.
    expect(await connectionsSoFar()).toBe(asked + 1);
  }, 60_000);
});
