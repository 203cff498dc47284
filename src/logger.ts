import { createRequire } from 'node:module';
import { pino, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths that must never reach a log line: cookies, tokens, codes and secrets, wherever a log
 * call might carry them (headers of a raw request, or a session object logged by mistake).
 */
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  '*.headers.cookie',
  '*.headers.authorization',
  '*.headers["set-cookie"]',
  '*.id_token',
  '*.access_token',
  '*.refresh_token',
  '*.code',
  '*.code_verifier',
  '*.client_secret',
  '*.clientSecret',
  '*.secret',
  '*.secrets',
  '*.password',
  '*.csrfToken',
  '*.logout_token',
  // May carry the Redis password.
  '*.redisUrl',
];

/**
 * pino-pretty is a development dependency: a production install (`npm ci --omit=dev`) does not
 * have it, and asking for pretty output there must not crash the process.
 */
function prettyIsInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * The app's logger: JSON lines with secrets redacted, or (when `pretty` and pino-pretty is
 * installed) readable lines for a person at a terminal. Falls back to JSON, with a warning, when
 * pretty output is asked for but pino-pretty is missing.
 */
export function createLogger(options: { level: LoggerOptions['level']; pretty?: boolean }, destination?: pino.DestinationStream): Logger {
  const pretty = options.pretty === true && prettyIsInstalled();
  const settings: LoggerOptions = {
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  };
  // Without a destination of its own: stdout, written synchronously (pino's default), so a line
  // is out of the process when the call returns and nothing that ends the process afterwards
  // (the crash guard, the shutdown's exit, a SIGKILL) can lose it or reorder it. An asynchronous
  // destination only moved the write to a worker thread (no less process CPU per request, in A/B
  // runs), and its flush at exit skips a write still in flight (pinojs/sonic-boom#101): the last
  // lines before process.exit came out of order.
  const logger = destination ? pino(settings, destination) : pretty ? pino(settings) : pino(settings, pino.destination({ dest: 1, sync: true }));
  if (options.pretty === true && !pretty) logger.warn('pretty logs need pino-pretty (a development dependency), which is not installed: writing JSON');
  return logger;
}

/**
 * The `{ warn, error }(error, message)` shape some libraries (express-rate-limit) log through, so
 * their one-time warnings land in our log with the error serialised, instead of on stderr.
 */
export function libraryLogger(logger: Logger, library: string) {
  const log = (error: unknown, message?: string) => logger.warn({ err: error, library }, message ?? `${library} warning`);
  return { warn: log, error: log };
}
