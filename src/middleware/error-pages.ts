import type { ErrorRequestHandler, RequestHandler } from 'express';
import createError from 'http-errors';
import type { Logger } from 'pino';
import { describeError } from './describe-error.js';
import { stackOf } from '../logger.js';

/** Everything no route answered: a 404 through the same error page as every other failure. */
export function notFound(): RequestHandler {
  return (_req, _res, next) => {
    next(createError(404));
  };
}

/**
 * The one error handler: logs once with the request id, then answers with a page or JSON that
 * shows only text written for people, in every mode. The log line has the error's type, message
 * and codes (logger.ts serializeError); only an unexpected failure (a 500: nothing recognised it)
 * also gets its stack frames, to the log and nowhere else.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const shown = describeError(error);
    const requestId = res.locals.requestId;
    const log = logger.child({ reqId: requestId });
    if (shown.status === 500) log.error({ err: error, stack: stackOf(error), status: shown.status }, 'request failed');
    else if (shown.status > 500) log.error({ err: error, status: shown.status }, 'request failed');
    else log.warn({ err: error, status: shown.status }, 'request refused');

    if (res.headersSent) {
      // Too late for an error page; cut the connection so the client sees a failure, not a truncated success.
      res.destroy();
      return;
    }
    res.status(shown.status);
    res.setHeader('Cache-Control', 'no-store');
    // A rate limiter has already said exactly when to come back; otherwise a modest guess.
    if ((shown.status === 429 || shown.status === 503) && !res.hasHeader('Retry-After'))
      res.setHeader('Retry-After', '30');
    const body = { status: shown.status, title: shown.title, message: shown.message, requestId };
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ error: body });
      return;
    }
    res.render('pages/error', { ...body, retrySignIn: shown.retrySignIn }, (renderError: unknown, html: string) => {
      if (renderError) {
        log.error({ err: renderError, stack: stackOf(renderError) }, 'error page failed to render');
        res.type('text/plain').send(`${shown.title}\n\n${shown.message}\n\nRequest id: ${requestId}\n`);
        return;
      }
      res.send(html);
    });
  };
}
