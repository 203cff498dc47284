import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

/** Probes hit these every few seconds: at info level they would drown the lines people read. */
const PROBE_PATHS = new Set(['/healthz', '/readyz']);

/**
 * One log line per request: id, method, path (never the query: /callback carries the code),
 * status, duration (`responseTime`, ms) and the signed-in user's id. Headers are not logged at
 * all, so cookies and tokens cannot leak. Health probes are logged at debug level only, whatever
 * their status.
 */
export function requestLogging(logger: Logger): RequestHandler {
  // The user is known only once the session was read, so it is added when the line is written
  // (no extra child logger per request, which customProps would create).
  const withUser = (res: ServerResponse, line: Record<string, unknown>) => {
    const userId = (res as Response).locals.user?.user_id;
    return userId ? { ...line, userId } : line;
  };
  return pinoHttp({
    logger,
    genReqId: (req) => req.id,
    quietReqLogger: true,
    customLogLevel: (req, res, error) => {
      if (error) return 'error';
      // A failing readiness probe is not news on every poll: /readyz logs its own transitions.
      if (PROBE_PATHS.has(pathOf(req.url))) return logger.isLevelEnabled('debug') ? 'debug' : 'silent';
      if (res.statusCode >= 500) return 'error';
      return res.statusCode >= 400 ? 'warn' : 'info';
    },
    customSuccessMessage: (req, res) => `${req.method} ${pathOf(req.url)} ${outcomeOf(res)}`,
    customErrorMessage: (req, res) => `${req.method} ${pathOf(req.url)} ${outcomeOf(res)}`,
    customSuccessObject: (_req, res, line: Record<string, unknown>) => withUser(res, line),
    customErrorObject: (_req, res, _error, line: Record<string, unknown>) => withUser(res, line),
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: pathOf(req.url) }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
  });
}

/** A client that hangs up first gets no status at all (pino's `res.status` is then null too). */
function outcomeOf(res: ServerResponse): string {
  return res.headersSent ? String(res.statusCode) : 'closed by the client before an answer';
}

function pathOf(url: IncomingMessage['url']): string {
  return (url ?? '').split('?')[0] ?? '';
}
