import type { Logger } from 'pino';
import { stackOf } from '../logger.js';

/**
 * The last resort: an exception nothing caught, or a promise rejection nothing handled, means
 * the process is in an unknown state. Log it (with its stack, to the log only) and stop with
 * exit code 1 so a supervisor restarts a clean process; `stop` still lets in-flight requests
 * finish. Errors inside a request never get here: Express 5 hands them to the error handler.
 */
export function stopOnCrash(logger: Logger, stop: (reason: string, exitCode: number) => unknown): void {
  const crash = (origin: string) => (error: unknown) => {
    logger.fatal(
      { err: error, stack: stackOf(error), event: 'process.crash', origin },
      origin === 'unhandledRejection' ? 'unhandled promise rejection' : 'uncaught exception',
    );
    void stop(origin, 1);
  };
  process.on('uncaughtException', crash('uncaughtException'));
  process.on('unhandledRejection', crash('unhandledRejection'));
}
