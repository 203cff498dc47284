import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { IndexedSessionStore } from './indexed-session-store.js';
import { MemorySessionIndex } from './memory-session-index.js';
import { MemorySessionStore } from './memory-session-store.js';
import { createRedisClient, reconnectRedis, type RedisClient } from './redis-client.js';
import { RedisSessionIndex } from './redis-session-index.js';
import type { SessionStoreBackend } from './session-data.js';
import type { AppSessionStore } from './session-registry.js';

type StoreConfig = Pick<Config, 'nodeEnv' | 'session' | 'sessionStore'>;

/**
 * The one place that decides where sessions live: Redis when REDIS_URL is set (every instance
 * shares it), otherwise this process's memory, which is fine for one instance but loses every
 * session on restart, hence the warning in production (REQUIRE_REDIS=true turns it into a
 * configuration error, see config.ts).
 */
export function createSessionStore(config: StoreConfig, logger: Logger): AppSessionStore {
  const { redisUrl, redisTimeoutMs } = config.sessionStore;
  const options = { markTtlMs: config.session.absoluteTimeoutSeconds * 1000, timeoutMs: redisTimeoutMs };
  if (redisUrl !== undefined) {
    const client = createRedisClient({ url: redisUrl, timeoutMs: redisTimeoutMs, logger });
    return new IndexedSessionStore(redisRecords(client), new RedisSessionIndex(client), { ...options, onStuck: () => reconnectRedis(client, logger) });
  }
  if (config.nodeEnv === 'production') {
    logger.warn(
      { event: 'sessions.in_memory' },
      'REDIS_URL is not set: sessions live in this process only, end when it restarts, and are not shared with other instances. Set REDIS_URL (and REQUIRE_REDIS=true to make this an error).',
    );
  }
  return new IndexedSessionStore(new MemorySessionStore(), new MemorySessionIndex(), options);
}

/** connect-redis (express-session's Redis store), with its TTL taken from each session's expiry. */
function redisRecords(client: RedisClient): SessionStoreBackend {
  const store = new RedisStore({ client, prefix: 'sess:' });
  return {
    get: (id, callback) => void store.get(id, callback),
    // express-openid-connect's records are not express-session's SessionData, but carry what
    // connect-redis reads from them: `cookie.expires`, for the key's TTL.
    set: (id, record, callback) => void store.set(id, record as unknown as SessionData, callback),
    destroy: (id, callback) => void store.destroy(id, callback),
    // The client is shared with the index, which closes it.
    close: () => Promise.resolve(),
  };
}

/**
 * Waits (bounded) until the store answers, so that a starting instance does not greet its first
 * visitors with 503s while Redis is still connecting. False when it did not answer in time: the
 * caller starts anyway, since the client keeps reconnecting by itself.
 */
export async function storeAnswers(store: Pick<AppSessionStore, 'ping'>, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      await store.ping();
      return true;
    } catch {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
