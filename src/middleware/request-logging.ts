import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

/**
 * One log line per request: id, method, path (never the query: /callback carries the code),
 * status, duration, and the user id once signed in. Headers are not logged at all, so cookies
 * and tokens cannot leak.
 *
 * Tuned because it runs on every request: the serializers read the raw request and response
 * (pino-http's default wrapping first copies every header into a new object), and the user id is
 * added to the finished line instead of through a child logger per request.
 */
export function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req) => req.id,
    quietReqLogger: true,
    wrapSerializers: false,
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    customSuccessMessage: (req, res) => `${req.method} ${pathOf(req.url)} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${pathOf(req.url)} ${res.statusCode}`,
    customSuccessObject: (_req, res, line: object) => withUser(res, line),
    customErrorObject: (_req, res, _error, line: object) => withUser(res, line),
    serializers: {
      req: (req: IncomingMessage & { id: unknown }) => ({ id: req.id, method: req.method, path: pathOf(req.url) }),
      res: (res: ServerResponse) => ({ status: res.statusCode }),
    },
  });
}

function withUser(res: ServerResponse, line: object): object {
  const userId = (res as Response).locals.user?.user_id;
  return userId ? { ...line, userId } : line;
}

function pathOf(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}
