import { createRequire } from 'node:module';
import { pino, type Logger, type LoggerOptions } from 'pino';

/**
 * Paths that must never reach a log line: cookies, tokens, codes and secrets, wherever a log
 * call might carry them (headers of a raw request, or a session object logged by mistake).
 * Errors are not redacted here but rebuilt field by field (serializeError): a blanket `*.code`
 * also hid every error code (`ECONNREFUSED`, `ERR_JWT_EXPIRED`), so only a query's `code` is listed.
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
  'query.code',
  '*.query.code',
  '*.code_verifier',
  '*.client_secret',
  '*.clientSecret',
  '*.secret',
  '*.secrets',
  '*.password',
  '*.sentinelPassword',
  '*.csrfToken',
  '*.logout_token',
  // May carry the Redis password.
  '*.redisUrl',
];

/** Deep enough for fetch's "fetch failed" -> undici's connect error, or an http error -> jose's. */
const MAX_CAUSE_DEPTH = 3;
const MAX_MESSAGE_LENGTH = 300;
/** Short machine-readable fields that say what failed and never carry data. */
const ERROR_FIELDS = ['code', 'status', 'statusCode', 'errno', 'syscall'] as const;
/** An OAuth error code (`access_denied`), as express-openid-connect's errors and provider bodies carry it. */
const PROTOCOL_CODE = /^[\w.:-]{1,64}$/;
/** A compact JWS/JWE anywhere in a message: its payload is claims. */
const COMPACT_JWT = /eyJ[\w-]*\.[\w-]+\.[\w-]*(?:\.[\w-]*\.[\w-]*)?/g;

/** `text` with anything shaped like a JWT (its payload is claims) replaced by `[jwt]`. */
export function withoutJwts(text: string): string {
  return text.includes('eyJ') ? text.replace(COMPACT_JWT, '[jwt]') : text;
}

export interface SerializedError {
  type: string;
  message?: string;
  code?: string | number;
  status?: number;
  statusCode?: number;
  errno?: string | number;
  syscall?: string;
  /** The OAuth error code of a protocol error (`invalid_grant`), never its description. */
  error?: string;
  cause?: SerializedError;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * A ValiError's message is its first issue's, which quotes the value it refused ("Expected string
 * but received ..."): the path and the kind of each issue say what was wrong without saying what
 * was there. A wrong type, or a missing key, is `invalid_type`; a failed check is named (`min_length`).
 */
function validationSummary(error: Record<string, unknown>): string | undefined {
  if (error.name !== 'ValiError' || !Array.isArray(error.issues)) return undefined;
  const issues = (error.issues as unknown[]).filter(isRecord).map((issue) => {
    const path = Array.isArray(issue.path)
      ? issue.path.map((item) => (isRecord(item) ? String(item.key) : '')).join('.')
      : '';
    return `${path || '(root)'}: ${issue.kind === 'schema' ? 'invalid_type' : String(issue.type)}`;
  });
  return `invalid ${issues.join('; ')}`;
}

function safeMessage(message: string): string {
  // A JSON parse error quotes the text it choked on, whole or an excerpt around the fault
  // (`Unexpected token '<', "<html><bod"... is not valid JSON`): that text is a response body.
  const quote = message.indexOf('"');
  const unquoted =
    message.endsWith('is not valid JSON') && quote >= 0
      ? `${message.slice(0, quote).replace(/[\s,.]+$/, '')}: not valid JSON`
      : message;
  const scrubbed = withoutJwts(unquoted);
  return scrubbed.length > MAX_MESSAGE_LENGTH ? `${scrubbed.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : scrubbed;
}

/**
 * pino's serializer for `err` (and `error`): what failed, never what it carried. Keeps the type
 * (constructor name), the message (JWTs cut out, JSON excerpts dropped, ValiErrors summarised,
 * bounded), code, status/statusCode, errno, syscall, an OAuth `error` code, and the same for
 * `cause`, recursively to MAX_CAUSE_DEPTH, for Error and plain-object causes. Nothing else: jose's
 * claim errors carry the token's payload, openid-client's carry the response and its body,
 * http-errors carry the provider's `error_description`. Never the stack: the two places where an
 * unexpected failure needs one add it themselves (stackOf).
 */
export function serializeError(value: unknown, depth = 0, seen = new Set<unknown>()): SerializedError {
  if (!isRecord(value)) return { type: typeof value, message: safeMessage(String(value)) };
  seen.add(value);
  const serialized: SerializedError = {
    type: typeof value.constructor === 'function' && value.constructor.name ? value.constructor.name : 'Object',
  };
  const message = validationSummary(value) ?? (typeof value.message === 'string' ? value.message : undefined);
  if (message !== undefined) serialized.message = safeMessage(message);
  for (const field of ERROR_FIELDS) {
    const fieldValue = value[field];
    if (typeof fieldValue === 'number' || (typeof fieldValue === 'string' && PROTOCOL_CODE.test(fieldValue))) {
      Object.assign(serialized, { [field]: fieldValue });
    }
  }
  if (typeof value.error === 'string' && PROTOCOL_CODE.test(value.error)) serialized.error = value.error;
  const { cause } = value;
  if (isRecord(cause) && !seen.has(cause) && depth < MAX_CAUSE_DEPTH) {
    const serializedCause = serializeError(cause, depth + 1, seen);
    // A plain-object cause with none of the fields above (jose's claim details) says nothing.
    if (cause instanceof Error || Object.keys(serializedCause).length > 1) serialized.cause = serializedCause;
  }
  return serialized;
}

/**
 * The frames of an error's stack, without its first line (the message, which serializeError
 * already cleans): for the log of an unexpected failure only (the 500 error page, the crash guard).
 */
export function stackOf(error: unknown): string | undefined {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return undefined;
  const frames = error.stack.split('\n').filter((line) => /^\s+at /.test(line));
  return frames.length > 0 ? frames.join('\n') : undefined;
}

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
export function createLogger(
  options: { level: LoggerOptions['level']; pretty?: boolean },
  destination?: pino.DestinationStream,
): Logger {
  const pretty = options.pretty === true && prettyIsInstalled();
  const settings: LoggerOptions = {
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  };
  // Without a destination of its own: stdout, written synchronously (pino's default), so a line
  // is out of the process when the call returns and nothing that ends the process afterwards
  // (the crash guard, the shutdown's exit, a SIGKILL) can lose it or reorder it. An asynchronous
  // destination only moved the write to a worker thread (no less process CPU per request, in A/B
  // runs), and its flush at exit skips a write still in flight (pinojs/sonic-boom#101): the last
  // lines before process.exit came out of order.
  const logger = destination
    ? pino(settings, destination)
    : pretty
      ? pino(settings)
      : pino(settings, pino.destination({ dest: 1, sync: true }));
  if (options.pretty === true && !pretty)
    logger.warn('pretty logs need pino-pretty (a development dependency), which is not installed: writing JSON');
  return logger;
}

/**
 * The `{ warn, error }(error, message)` shape some libraries (express-rate-limit) log through, so
 * their one-time warnings land in our log with the error serialised, instead of on stderr.
 */
export function libraryLogger(logger: Logger, library: string) {
  const log = (error: unknown, message?: string) =>
    logger.warn({ err: error, library }, message ?? `${library} warning`);
  return { warn: log, error: log };
}
