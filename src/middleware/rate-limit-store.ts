import type { IncrementResponse, Options, Store } from 'express-rate-limit';
import type { Logger } from 'pino';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { SendRedisCommand } from '../sessions/index.js';

/** An outage of the shared count is logged at most this often (per process), however many requests it lets through. */
const WARNING_INTERVAL_MS = 60_000;

/** Where one limiter counts: undefined means express-rate-limit's own memory store, in this process. */
export type LimitStoreFor = (prefix: string) => Store | undefined;

/**
 * The failure of a shared count, already logged (once a minute) by the store that threw it:
 * the limiter lets the request through (passOnStoreError), and its own log of it is redundant.
 */
export class CountUnavailable extends Error {
  override name = 'CountUnavailable';
}

/**
 * Where the rate limits count. With `sendCommand` (REDIS_URL is set), in that Redis through
 * rate-limit-redis, each limiter under its own key prefix: every instance and every restart sees
 * the same counts. Without it, in each limiter's own memory, per process.
 * A count that Redis cannot give (down, stuck past REDIS_TIMEOUT_MS, which bounds every command)
 * rejects with CountUnavailable, logged as one warning a minute for all the limiters together.
 */
export function limitStores({
  sendCommand,
  logger,
}: {
  sendCommand: SendRedisCommand | undefined;
  logger: Logger;
}): LimitStoreFor {
  if (sendCommand === undefined) return () => undefined;
  const send = async (...args: string[]) => redisReply(await sendCommand(...args));
  const warn = warnOncePerMinute(logger);
  return (prefix) => new SharedCount(new RedisStore({ sendCommand: send, prefix }), warn);
}

/**
 * rate-limit-redis, loaded lazily. Its init() loads its scripts at once and keeps the promise: a
 * Redis not answering at that moment (still connecting at start-up) would fail every count until
 * the process restarts. Here init() only takes the options, and the first count loads the
 * scripts, again after any failed count. Scripts lost later (a Redis restart; a Sentinel failover,
 * since a replica never has the primary's scripts) it reloads itself, but it keeps a failed reload
 * too, which would let every later request through uncounted: loading again after a failure
 * replaces it.
 */
class SharedCount implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  private options: Options | undefined;
  private loaded: Promise<void> | undefined;

  constructor(
    private readonly redis: RedisStore,
    private readonly warn: (error: unknown) => void,
  ) {
    this.prefix = redis.prefix;
  }

  init(options: Options): void {
    this.options = options;
  }

  async increment(key: string): Promise<IncrementResponse> {
    try {
      await this.load();
      return await this.redis.increment(key);
    } catch (error) {
      this.loaded = undefined;
      this.warn(error);
      throw new CountUnavailable('the shared rate-limit count is unavailable', { cause: error });
    }
  }

  decrement(key: string): Promise<void> {
    return this.redis.decrement(key);
  }

  resetKey(key: string): Promise<void> {
    return this.redis.resetKey(key);
  }

  private load(): Promise<void> {
    const { options } = this;
    if (options === undefined) return Promise.reject(new Error('unreachable: a count before express-rate-limit init'));
    this.loaded ??= this.redis.init(options).catch((error: unknown) => {
      this.loaded = undefined;
      throw error;
    });
    return this.loaded;
  }
}

type Data = Exclude<RedisReply, unknown[]>;

function isData(value: unknown): value is Data {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** node-redis's reply in the shape rate-limit-redis reads: a nil inside an array is `false`, as it expects. */
function redisReply(value: unknown): RedisReply {
  if (isData(value)) return value;
  if (Array.isArray(value)) {
    const items: unknown[] = value.map((item: unknown) => (item === null ? false : item));
    if (items.every(isData)) return items;
  }
  throw new TypeError('unexpected reply from Redis to a rate-limit command');
}

/**
 * Says that limits are not being enforced: at once, then at most once a minute while it lasts,
 * with how many requests went through uncounted since the previous warning.
 */
function warnOncePerMinute(logger: Logger): (error: unknown) => void {
  let warnedAt = -Infinity;
  let uncounted = 0;
  return (error) => {
    uncounted += 1;
    if (Date.now() - warnedAt < WARNING_INTERVAL_MS) return;
    logger.warn(
      { event: 'rate_limit.store_unavailable', err: error, uncounted },
      'Redis does not answer: rate limits let requests through uncounted until it does',
    );
    warnedAt = Date.now();
    uncounted = 0;
  };
}
