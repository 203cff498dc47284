import type { RedisClient } from './redis-client.js';
import type { RedisSentinel } from './redis-sentinel-client.js';
import type { SessionIndex } from './session-index.js';

const CLOSE_GRACE_MS = 2000;

/** SessionIndex.raiseMark in one step: compares the numbers the values start with. */
const RAISE_MARK = `
local current = redis.call('GET', KEYS[1])
if current then
  local old = tonumber(string.match(current, '^%S+'))
  local new = tonumber(string.match(ARGV[1], '^%S+'))
  if old and new and old >= new then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/** SessionIndex.unlock in one step: deletes the lock only while it is still this owner's. */
const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * The SessionIndex in Redis, shared by every instance: a sorted set per index scored by expiry
 * (the set itself expires with its last member), and marks as plain keys with a TTL.
 */
export class RedisSessionIndex implements SessionIndex {
  constructor(
    private readonly client: RedisClient | RedisSentinel,
    /** Stops a client still trying to connect in the background (see redis-sentinel-client.ts). */
    private readonly stopConnecting: () => void = () => undefined,
    private readonly prefix = 'session-index:',
  ) {}

  async add(set: string, id: string, expiresAt: number): Promise<number> {
    const key = this.prefix + set;
    // NX gives a new set its expiry, GT only ever extends it: the set outlives all its members.
    const replies = await this.client
      .multi()
      .zAdd(key, { score: expiresAt, value: id })
      .pExpireAt(key, expiresAt, 'NX')
      .pExpireAt(key, expiresAt, 'GT')
      .zCard(key)
      .exec();
    return Number(replies.at(-1));
  }

  count(set: string): Promise<number> {
    return this.client.zCard(this.prefix + set);
  }

  async members(set: string, now: number): Promise<string[]> {
    const key = this.prefix + set;
    const [, live] = await this.client
      .multi()
      .zRemRangeByScore(key, '-inf', now)
      .zRange(key, now, '+inf', { BY: 'SCORE' })
      .exec();
    return Array.isArray(live) ? live.map(String) : [];
  }

  async remove(set: string, ids: string[]): Promise<void> {
    if (ids.length > 0) await this.client.zRem(this.prefix + set, ids);
  }

  async mark(key: string, value: string, ttlMs: number): Promise<void> {
    await this.client.set(this.prefix + key, value, { expiration: { type: 'PX', value: ttlMs } });
  }

  async raiseMark(key: string, value: string, ttlMs: number): Promise<void> {
    await this.client.eval(RAISE_MARK, { keys: [this.prefix + key], arguments: [value, String(ttlMs)] });
  }

  async lock(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const reply = await this.client.set(this.prefix + key, owner, {
      condition: 'NX',
      expiration: { type: 'PX', value: ttlMs },
    });
    return reply === 'OK';
  }

  async unlock(key: string, owner: string): Promise<void> {
    await this.client.eval(UNLOCK, { keys: [this.prefix + key], arguments: [owner] });
  }

  async readMarks(keys: string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    const values = await this.client.mGet(keys.map((key) => this.prefix + key));
    return values.map((value) => value ?? undefined);
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  /** Closes the shared client: pending commands get their answers (each is bounded by its timeout). */
  async close(): Promise<void> {
    this.stopConnecting();
    if (!this.client.isOpen) return;
    // A client still reconnecting has nothing worth waiting for; never let shutdown hang on it.
    const giveUp = setTimeout(() => void this.client.destroy(), CLOSE_GRACE_MS);
    try {
      await this.client.close();
    } finally {
      clearTimeout(giveUp);
    }
  }
}
