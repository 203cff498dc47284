import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import express, { type RequestHandler, type Response } from 'express';
import createError, { type HttpError } from 'http-errors';

/** The largest body each route that reads one accepts, in bytes. */
export const BODY_LIMITS = {
  /** POST /logout, /sessions/end, /sessions/end-others: a CSRF token and a handle. */
  form: 4 * 1024,
  /** POST /backchannel-logout: one signed logout token. */
  logoutToken: 16 * 1024,
};
const LARGEST_BODY = Math.max(...Object.values(BODY_LIMITS));

function declaredLength(req: IncomingMessage): number {
  // Node has already refused a malformed or contradictory Content-Length with 400.
  return Number(req.headers['content-length'] ?? 0);
}

/** Connections whose body was refused unread: what follows on them is not a request. */
const refusedConnections = new WeakSet<Socket>();

/**
 * The rest of the body is never read, so the connection cannot carry another request: it closes
 * after the answer, and anything the client pipelined behind the body is dropped unanswered
 * (Node would otherwise parse it as the next request and run it).
 */
function tooLarge(res: Response): HttpError {
  res.setHeader('Connection', 'close');
  refusedConnections.add(res.req.socket);
  return createError(413);
}

/**
 * express.urlencoded without its wait. body-parser answers a body over its limit only once the
 * client has sent all of it (so the connection stays usable): a request declaring 100 MB and
 * sending three bytes hung until the request timeout. Here a declared length over `limitBytes` is
 * refused before a byte is read, and a chunked body as soon as it passes the limit: a 413 through
 * the error handlers with `Connection: close`, the rest never read.
 */
export function readForm({
  limitBytes,
  parameterLimit,
}: {
  limitBytes: number;
  parameterLimit: number;
}): RequestHandler {
  const parse: RequestHandler = express.urlencoded({ extended: false, limit: limitBytes, parameterLimit });
  return (req, res, next) => {
    if (declaredLength(req) > limitBytes) {
      next(tooLarge(res));
      return;
    }
    let received = 0;
    let settled = false;
    // A second listener on the chunks body-parser reads (both attached before the first chunk flows).
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes && !settled) {
        settled = true;
        req.off('data', count);
        next(tooLarge(res));
      }
    };
    req.on('data', count);
    parse(req, res, (error?: unknown) => {
      req.off('data', count);
      // After a refusal body-parser still reports, once the closed connection ends the request: nobody to tell.
      if (settled) return;
      settled = true;
      next(error);
    });
  };
}

/**
 * For every route, also those that read no body: a request whose body is larger than any route
 * reads, or chunked (of unknown size), is answered as usual and its connection then closed. Node
 * would otherwise read and discard that body to reuse the connection, however long it is (until
 * the request timeout), for a client that declared 100 MB on GET /.
 */
export function closeAfterUnreadBodies(): RequestHandler {
  return (req, res, next) => {
    if (refusedConnections.has(req.socket)) {
      req.socket.destroy();
      return;
    }
    if (req.headers['transfer-encoding'] !== undefined || declaredLength(req) > LARGEST_BODY)
      res.setHeader('Connection', 'close');
    next();
  };
}

/**
 * Answers `Expect: 100-continue` the way the routes will: a client is invited to send its body
 * only when it is no larger than any route reads; otherwise it gets the 413 (or the route's
 * answer) without having been asked for 100 MB first. Node sends 100 Continue by itself unless a
 * server handles `checkContinue`.
 */
export function inviteOnlyReadableBodies(server: Server): void {
  server.on('checkContinue', (req: IncomingMessage, res) => {
    if (declaredLength(req) <= LARGEST_BODY) res.writeContinue();
    server.emit('request', req, res);
  });
}
