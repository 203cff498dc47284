import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { IndexedSessionStore } from './indexed-session-store.js';
import { MemorySessionIndex } from './stores/memory-session-index.js';
import { MemoryRecordStore } from './stores/memory-record-store.js';
import { createRedisClient, reconnectRedis, type RedisClient } from './stores/redis-client.js';
import { RedisSessionIndex } from './stores/redis-session-index.js';
import { createRedisSentinel, type RedisSentinel } from './stores/redis-sentinel-client.js';
import { loadNodeRedis } from './stores/redis-module.js';
import { waitForReplica } from './stores/replica-wait.js';
import type { RecordStore } from './session-data.js';
import type { SessionIndex } from './stores/session-index.js';
import { deriveSecretKeys } from './session-keys.js';
import type { SessionStore } from './session-registry.js';

type StoreConfig = Pick<Config, 'nodeEnv' | 'secrets' | 'session' | 'sessionStore'>;

/** Where sessions are kept, beneath the sealing and indexing every store shares. */
export interface StoreBackends {
  records: RecordStore;
  index: SessionIndex;
  /** Called when the storage stopped answering altogether (see deadline.ts). */
  onStuck?: () => void;
  /** Waits until a replica holds the last write (Redis with Sentinel only): see replica-wait.ts. */
  replicate?: () => Promise<void>;
  /** Raw commands on the same connection (Redis only): see SessionStore's sendRedisCommand. */
  sendCommand?: (args: string[]) => Promise<unknown>;
}

/**
 * The one place that decides where sessions live: Redis when REDIS_URL or REDIS_SENTINELS is set
 * (every instance shares it), otherwise this process's memory, which is fine for one instance but loses every
 * session on restart, hence the warning in production (REQUIRE_REDIS=true turns it into a
 * configuration error, see config.ts).
 */
export async function createSessionStore(config: StoreConfig, logger: Logger): Promise<SessionStore> {
  return assembleSessionStore(await createStoreBackends(config, logger), config, logger);
}

export async function createStoreBackends(config: StoreConfig, logger: Logger): Promise<StoreBackends> {
  const { redisUrl, sentinel, redisTimeoutMs, maxMemorySessions } = config.sessionStore;
  if (sentinel !== undefined || redisUrl !== undefined) await loadNodeRedis();
  if (sentinel !== undefined) {
    const { client, stopConnecting } = createRedisSentinel({ sentinel, timeoutMs: redisTimeoutMs, logger });
    const sendCommand = (args: string[]) => client.sendCommand(false, args);
    return {
      records: redisRecords(client),
      index: new RedisSessionIndex(client, stopConnecting),
      // No onStuck: a primary that stops answering is failed over by Sentinel, and the client follows.
      sendCommand,
      // A quarter of the deadline: the write before it and the WAIT share REDIS_TIMEOUT_MS.
      replicate: waitForReplica({ sendCommand, waitMs: Math.max(10, Math.floor(redisTimeoutMs / 4)), logger }),
    };
  }
  if (redisUrl !== undefined) {
    const client = createRedisClient({ url: redisUrl, timeoutMs: redisTimeoutMs, logger });
    return {
      records: redisRecords(client),
      index: new RedisSessionIndex(client),
      onStuck: () => reconnectRedis(client, logger),
      sendCommand: (args) => client.sendCommand(args),
    };
  }
  if (config.nodeEnv === 'production') {
    logger.warn(
      { event: 'sessions.in_memory' },
      'REDIS_URL is not set: sessions live in this process only, end when it restarts, and are not shared with other instances. Set REDIS_URL (and REQUIRE_REDIS=true to make this an error).',
    );
  }
  const index = new MemorySessionIndex();
  const records = new MemoryRecordStore({
    maxSessions: maxMemorySessions,
    alsoHeld: () => index.markCount,
    onFull: warnOncePerMinute(logger, maxMemorySessions),
  });
  return { records, index };
}

/** Seals, hashes and indexes sessions over any backends: memory and Redis go through the same code. */
export function assembleSessionStore(
  { records, index, onStuck, sendCommand, replicate }: StoreBackends,
  config: StoreConfig,
  logger: Logger,
): SessionStore {
  return new IndexedSessionStore(records, index, {
    keys: deriveSecretKeys(config.secrets),
    lifetime: {
      idleSeconds: config.session.idleTimeoutSeconds,
      absoluteSeconds: config.session.absoluteTimeoutSeconds,
    },
    maxSessionsPerUser: config.session.maxPerUser,
    timeoutMs: config.sessionStore.redisTimeoutMs,
    onStuck,
    sendCommand,
    replicate,
    onCapped: (ended) =>
      logger.info(
        { event: 'sessions.capped', ended },
        "a sign-in beyond MAX_SESSIONS_PER_USER ended the user's least recently used session",
      ),
  });
}

function warnOncePerMinute(logger: Logger, limit: number): () => void {
  let warnedAt = -Infinity;
  let refused = 0;
  return () => {
    refused += 1;
    if (Date.now() - warnedAt < 60_000) return;
    logger.warn(
      { event: 'sessions.memory_full', limit, refused },
      `the in-memory session store holds MAX_MEMORY_SESSIONS=${limit} sessions: new sign-ins are refused until some end. Raise MAX_MEMORY_SESSIONS, or set REDIS_URL`,
    );
    warnedAt = Date.now();
    refused = 0;
  };
}

/**
 * A stored value that is not JSON (truncated, written by something else) is no session, as a
 * record that does not open is: not a store failure (which would answer 503 for as long as it
 * stays there, and fail every listing of that user's sessions).
 */
const lenientJson = {
  parse: (text: string): SessionData => {
    try {
      return JSON.parse(text) as SessionData;
    } catch {
      return null as unknown as SessionData;
    }
  },
  stringify: (value: unknown) => JSON.stringify(value),
};

/** connect-redis (express-session's Redis store), with its TTL taken from each record's expiry. */
function redisRecords(client: RedisClient | RedisSentinel): RecordStore {
  const store = new RedisStore({ client, prefix: 'session:', serializer: lenientJson });
  return {
    get: (key, callback) => void store.get(key, callback as Parameters<RedisStore['get']>[1]),
    // A sealed record is not express-session's SessionData, but carries what connect-redis reads
    // from one: `cookie.expires`, for the key's TTL.
    set: (key, record, callback) => void store.set(key, record as unknown as SessionData, callback),
    destroy: (key, callback) => void store.destroy(key, callback),
    // The client is shared with the index, which closes it.
    close: () => Promise.resolve(),
  };
}

/**
 * Waits (bounded) until the store answers, so that a starting instance does not greet its first
 * visitors with 503s while Redis is still connecting. False when it did not answer in time: the
 * caller starts anyway, since the client keeps reconnecting by itself.
 */
export async function storeAnswers(store: Pick<SessionStore, 'ping'>, withinMs: number): Promise<boolean> {
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
