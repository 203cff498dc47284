import type { Logger } from 'pino';
import { logOutages, PING_INTERVAL_MS, reconnectDelay } from './redis-client.js';
import { nodeRedis } from './redis-module.js';

/** The Sentinel settings of config.ts (REDIS_SENTINELS, REDIS_SENTINEL_NAME, the passwords, REDIS_TLS). */
export interface SentinelSettings {
  sentinels: { host: string; port: number }[];
  name: string;
  password: string | undefined;
  sentinelPassword: string | undefined;
  tls: boolean;
}

/** How long to wait before asking the Sentinels again when none of them could name a primary. */
const RETRY_CONNECT_MS = 1000;

export type RedisSentinel = ReturnType<typeof createRedisSentinel>['client'];

/**
 * node-redis's own Sentinel client: it asks the Sentinels where the primary is, sends every command
 * there, and follows a failover by itself (the Sentinels announce `+switch-master`, and a command
 * that finds its primary gone or read-only looks the primary up again). Fails fast as the plain
 * client does (no offline queue on the node connections, timeouts on commands and connections);
 * while a failover is in progress commands wait for the new primary, which the session store's
 * deadline (REDIS_TIMEOUT_MS, see deadline.ts) turns into a fast 503. Connecting starts at once, in
 * the background, and is retried for as long as no Sentinel answers.
 */
export function createRedisSentinel({
  sentinel,
  timeoutMs,
  logger,
}: {
  sentinel: SentinelSettings;
  timeoutMs: number;
  logger: Logger;
}) {
  const socket = sentinel.tls
    ? { tls: true as const, connectTimeout: timeoutMs, reconnectStrategy: reconnectDelay }
    : { connectTimeout: timeoutMs, reconnectStrategy: reconnectDelay };
  const client = nodeRedis().createSentinel({
    name: sentinel.name,
    sentinelRootNodes: sentinel.sentinels,
    commandOptions: { timeout: timeoutMs },
    nodeClientOptions: {
      password: sentinel.password,
      disableOfflineQueue: true,
      pingInterval: PING_INTERVAL_MS,
      socket,
    },
    sentinelClientOptions: { password: sentinel.sentinelPassword, socket },
  });
  logOutages(client, { redisSentinel: sentinel.name }, logger);
  // Where sessions are written: at start, and the one line an operator looks for after a failover.
  let named: string | undefined;
  client.on('topology-change', (event: { type: string; node?: { host: string; port: number } }) => {
    if (event.type !== 'MASTER_CHANGE' || !event.node) return;
    const primary = `${event.node.host}:${event.node.port}`;
    // Named again on every reconnection attempt (a primary refusing REDIS_PASSWORD: each second).
    if (primary === named) return;
    named = primary;
    logger.info({ event: 'redis.primary', primary }, 'Sentinel named the Redis primary: sessions are written there');
  });
  const connecting = connectUntilAnswered(client, logger);
  return { client, stopConnecting: connecting.stop };
}

/**
 * The Sentinel client's connect() gives up after 16 rounds of asking the Sentinels (a second
 * apart), and then never tries again: keep asking, so that an app started while no Sentinel
 * names a primary gets its sessions once one does, as with REDIS_URL. Said once at warning level
 * (then at debug, each round). stop() ends it, even in the pause between rounds (when the client
 * is not open, and closing it does nothing). The timer does not keep the process alive.
 */
function connectUntilAnswered(
  client: { connect(): Promise<unknown>; readonly isOpen: boolean },
  logger: Logger,
): { stop: () => void } {
  let stopped = false;
  let warned = false;
  const attempt = () => {
    client.connect().catch((error: unknown) => {
      if (stopped) return;
      logger[warned ? 'debug' : 'warn'](
        { event: 'redis.sentinel_retry', err: error },
        'No primary reached through the Sentinels yet (none named, or the one named refused or did not answer): asking again',
      );
      warned = true;
      setTimeout(() => {
        if (!stopped && !client.isOpen) attempt();
      }, RETRY_CONNECT_MS).unref();
    });
  };
  attempt();
  return {
    stop: () => {
      stopped = true;
    },
  };
}
