import type { Logger } from 'pino';

/** How long what ROLE said about the replicas is trusted: a failover leaves the new primary without any. */
const ROLE_CACHE_MS = 1000;
const WARN_EVERY_MS = 60_000;
/** After a WAIT no replica confirmed in time, how long writes are acknowledged without waiting. */
const LATE_PAUSE_MS = 1000;

/**
 * After a write that must outlive a failover (a sign-in, a logout, an ended session, refreshed
 * tokens), waits until at least one replica has it: Redis `WAIT 1 <waitMs>` on the same
 * connection as the write. A primary without replicas (ROLE, looked at once a second) is not
 * waited for, since WAIT would always run out.
 *
 * WAIT holds the connection it runs on, and every command of this instance shares that
 * connection, so waits are kept few and short:
 * - Writes that arrive while a WAIT is under way share the next one (a WAIT covers every write
 *   sent before it on its connection): a burst of sign-ins costs two WAITs, not one each.
 * - When no replica confirms in time, the write is acknowledged anyway (it is on the primary, and
 *   refusing the sign-in would not make it safer), and for the next second writes are
 *   acknowledged without waiting: a late replica costs the instance at most one `waitMs` stall a
 *   second, instead of queueing every page behind WAITs until they run out of REDIS_TIMEOUT_MS.
 *   Logged once a minute, with how many writes went unconfirmed: a failover in the next moments
 *   could lose them.
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
  let lateUntil = -Infinity;
  let warnedAt = -Infinity;
  let unconfirmed = 0;
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;

  const unconfirmedWrite = () => {
    unconfirmed += 1;
    if (now() - warnedAt < WARN_EVERY_MS) return;
    warnedAt = now();
    logger.warn(
      { event: 'redis.replica_late', waitMs, unconfirmed },
      'no replica confirmed session writes in time: they are on the primary only until replication catches up',
    );
    unconfirmed = 0;
  };
  const waitOnce = async () => {
    if (now() - roleAt >= ROLE_CACHE_MS) {
      replicas = replicasIn(await sendCommand(['ROLE']));
      roleAt = now();
    }
    if (replicas === 0) return;
    if (now() < lateUntil) {
      unconfirmedWrite();
      return;
    }
    const confirmed = Number(await sendCommand(['WAIT', '1', String(waitMs)]));
    if (confirmed >= 1) return;
    lateUntil = now() + LATE_PAUSE_MS;
    unconfirmedWrite();
  };
  const start = () => {
    const wait = waitOnce().finally(() => {
      if (running === wait) running = undefined;
    });
    running = wait;
    return wait;
  };
  return () => {
    if (running === undefined) return start();
    // The WAIT under way may have been sent before this caller's write: the next one covers it.
    queued ??= running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        queued = undefined;
        return start();
      });
    return queued;
  };
}

/** ROLE on a primary: ['master', offset, [[host, port, offset], ...]]. */
function replicasIn(role: unknown): number {
  return Array.isArray(role) && role[0] === 'master' && Array.isArray(role[2]) ? role[2].length : 0;
}
