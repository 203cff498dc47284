import type { Logger } from 'pino';
import { nodeRedis } from './redis-module.js';

/** The longest pause between reconnection attempts: Redis back means sessions back within this. */
const MAX_RECONNECT_DELAY_MS = 1000;
/** Keeps idle connections alive through NATs and load balancers that drop silent ones. */
export const PING_INTERVAL_MS = 10_000;

export type RedisClient = ReturnType<typeof createRedisClient>;

/**
 * A node-redis client that fails fast instead of waiting: commands are refused at once while
 * disconnected (no offline queue, which would make requests hang), every command and connection
 * attempt has a timeout, and it reconnects by itself forever with a short capped backoff (plus
 * jitter, so many instances do not reconnect in lockstep). Connection problems are logged once
 * per outage: node-redis emits 'error' on every failed attempt, and without a listener it would
 * crash the process. Connecting starts at once, in the background.
 */
export function createRedisClient({ url, timeoutMs, logger }: { url: string; timeoutMs: number; logger: Logger }) {
  const client = nodeRedis().createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: timeoutMs },
    pingInterval: PING_INTERVAL_MS,
    socket: {
      connectTimeout: timeoutMs,
      reconnectStrategy: reconnectDelay,
    },
  });
  // Never the URL itself: it may carry a password.
  logOutages(client, { redis: redisAddress(url) }, logger);
  connect(client, logger);
  return client;
}

/** The events a node-redis client or Sentinel client reports its connection with. */
interface ConnectionEvents {
  on(event: 'ready', listener: () => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

/**
 * Logs an outage once, when it starts, and once more when Redis is back; the attempts in between
 * at debug level. Also the 'error' listener node-redis needs: without one, it crashes the process.
 */
export function logOutages(client: ConnectionEvents, where: Record<string, string>, logger: Logger): void {
  let up: boolean | undefined;
  client.on('ready', () => {
    logger.info({ event: 'redis.ready', ...where }, up === false ? 'Redis is reachable again' : 'Redis connected');
    up = true;
  });
  client.on('error', (error: unknown) => {
    if (up === false) {
      logger.debug({ event: 'redis.retry', err: error, ...where }, 'Redis still unreachable');
      return;
    }
    up = false;
    logger.error(
      { event: 'redis.unavailable', err: error, ...where },
      'Redis unreachable: signed-in pages answer 503 until it is back',
    );
  });
}

/** Waits before the next reconnection attempt: short, capped, with jitter so instances do not retry in lockstep. */
export function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 50);
}

function connect(client: { connect(): Promise<unknown> }, logger: Logger): void {
  client.connect().catch((error: unknown) => {
    logger.error({ event: 'redis.gave_up', err: error }, 'Redis client stopped reconnecting');
  });
}

/**
 * Drops the connection and opens a new one. node-redis's timeouts only cover commands not yet
 * sent: once written, a command waits for its answer forever, so a Redis that hangs, or a peer
 * that vanished without closing the connection (a failover, a network partition), would otherwise
 * keep the client "connected" for as long as TCP takes to notice (many minutes). While the new
 * connection is being made, commands fail at once (no offline queue). Does nothing while the
 * client is not ready, so it cannot loop.
 */
export function reconnectRedis(client: RedisClient, logger: Logger): void {
  if (!client.isReady) return;
  logger.warn({ event: 'redis.reconnect' }, 'Redis stopped answering: reconnecting');
  client.destroy();
  connect(client, logger);
}

function redisAddress(url: string): string {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port || '6379'}`;
}
