import type { Logger } from 'pino';
import type { Drain } from './http-drain.js';
import type { Lifecycle } from './lifecycle.js';

/** Closing the store and the embedded provider after the last response must not take long either. */
const CLOSE_GRACE_MS = 5000;

interface Options {
  drain: Drain;
  lifecycle: Lifecycle;
  logger: Logger;
  /** Released after the last response: the session store, the embedded provider. */
  resources: { name: string; close: () => Promise<void> }[];
  /** How long in-flight requests may take to finish. */
  timeoutMs: number;
  /** How long to keep serving, already reporting "not ready", so load balancers can stop routing here. */
  delayMs: number;
  exit: (code: number) => void;
}

/**
 * The one way the process ends: /readyz turns 503, new visitors keep being served for `delayMs`,
 * then the listener closes, in-flight requests finish (bounded by `timeoutMs`), the resources
 * close, and the process exits: 0 after a clean drain, 1 if requests had to be cut or the stop
 * was caused by a crash. A second stop request while stopping exits 1 at once (Ctrl-C twice).
 */
export function createShutdown({ drain, lifecycle, logger, resources, timeoutMs, delayMs, exit }: Options) {
  return async function stop(reason: string, exitCode = 0): Promise<void> {
    if (lifecycle.stopping) {
      logger.warn({ event: 'shutdown.forced', reason }, 'asked to stop again while stopping: exiting now');
      exit(1);
      return;
    }
    lifecycle.beginStopping();
    const startedAt = Date.now();
    logger.info({ event: 'shutdown.begin', reason, delayMs, timeoutMs }, 'shutting down');
    // The last resort if closing hangs: a stuck store client must not keep a dead process around.
    setTimeout(
      () => {
        logger.error({ event: 'shutdown.stuck' }, 'shutdown did not finish in time: exiting');
        exit(1);
      },
      delayMs + timeoutMs + CLOSE_GRACE_MS,
    ).unref();

    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const drained = await drain.drain(timeoutMs);
    if (drained === 'forced')
      logger.warn({ event: 'shutdown.cut', timeoutMs }, 'requests still running after the shutdown timeout were cut');
    else logger.info({ event: 'shutdown.drained', durationMs: Date.now() - startedAt }, 'every request finished');

    for (const resource of resources) {
      try {
        await resource.close();
      } catch (error) {
        logger.error({ err: error, resource: resource.name }, 'could not close cleanly');
      }
    }
    const code = drained === 'forced' ? 1 : exitCode;
    logger.info({ event: 'shutdown.done', exitCode: code, durationMs: Date.now() - startedAt }, 'stopped');
    exit(code);
  };
}
