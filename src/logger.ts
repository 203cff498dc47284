import { pino, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths that must never reach a log line: cookies, tokens, codes and secrets, wherever a log
 * call might carry them (headers of a raw request, or a session object logged by mistake).
 */
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
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

export function createLogger(options: { level: LoggerOptions['level']; pretty?: boolean }, destination?: pino.DestinationStream): Logger {
  const settings: LoggerOptions = {
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  };
  return destination ? pino(settings, destination) : pino(settings);
}
