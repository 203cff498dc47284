import type { Logger } from 'pino';

/** How long what ROLE said about the replicas is trusted: a failover leaves the new primary without any. */
const ROLE_CACHE_MS = 1000;
const WARN_EVERY_MS = 60_000;

/**
 * After a write that must outlive a failover (a sign-in, a logout, an ended session), waits until
 * at least one replica has it: Redis `WAIT 1 <waitMs>` on the same connection as the write. A
 * primary without replicas (ROLE, looked at once a second) is not waited for, since WAIT would
 * always run out. When no replica confirms in time, the write is acknowledged anyway (it is on
 * the primary, and refusing the sign-in would not make it safer) and that is logged once a
 * minute: a failover in the next moments could lose it. WAIT holds the connection it runs on, so
 * `waitMs` is kept well below the store's deadline.
 */
export function waitForReplica({
  sendCommand,
  waitMs,
  logger,
  now = Date.now,
}: {
  sendCommand: (args: string[]) => Promise<unknown>;
  waitMs: number;
  logger: Logger;
  now?: () => number;
}): () => Promise<void> {
  let replicas = 0;
  let roleAt = -Infinity;
  let warnedAt = -Infinity;
  return async () => {
    if (now() - roleAt >= ROLE_CACHE_MS) {
      replicas = replicasIn(await sendCommand(['ROLE']));
      roleAt = now();
    }
    if (replicas === 0) return;
    const confirmed = Number(await sendCommand(['WAIT', '1', String(waitMs)]));
    if (confirmed >= 1 || now() - warnedAt < WARN_EVERY_MS) return;
    warnedAt = now();
    logger.warn(
      { event: 'redis.replica_late', waitMs },
      'no replica confirmed a session write in time: it is on the primary only until replication catches up',
    );
  };
}

/** ROLE on a primary: ['master', offset, [[host, port, offset], ...]]. */
function replicasIn(role: unknown): number {
  return Array.isArray(role) && role[0] === 'master' && Array.isArray(role[2]) ? role[2].length : 0;
}
