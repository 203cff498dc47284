import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import createError from 'http-errors';
import type { Logger } from 'pino';
import { libraryLogger } from '../logger.js';

/**
 * A limiter for one sign-in route (/login, /callback: each call counts separately), allowing
 * `perMinute` requests a minute per client address (SIGN_IN_RATE_LIMIT, 30 by default). A person
 * signs in a handful of times a day; 30 a minute still lets an office behind one NAT address sign
 * in at nine o'clock, and stops scripts that hammer these routes (every /login mints a
 * transaction, every /callback can make us call the provider's token endpoint).
 * The client address is `req.ip`, which honours X-Forwarded-For only as far as TRUST_PROXY allows,
 * so a client cannot reset its count with a made-up header. Over the limit: 429 through the normal
 * error page (or JSON), with Retry-After and the standard RateLimit headers.
 * The count lives in this process: with several instances each keeps its own.
 */
export function signInRateLimit({ perMinute, logger }: { perMinute: number; logger: Logger }): RequestHandler {
  return perMinuteLimit({
    perMinute,
    logger,
    handler: (_req, _res, next) => {
      next(createError(429));
    },
  });
}

/** `perMinute` a minute per client address, with the standard headers; `handler` answers beyond it. */
function perMinuteLimit({
  perMinute,
  logger,
  handler,
}: {
  perMinute: number;
  logger: Logger;
  handler: RequestHandler;
}): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // The library's one-time misconfiguration warnings (such as X-Forwarded-For arriving while
    // TRUST_PROXY is off) belong in our log, not on stderr.
    logger: libraryLogger(logger, 'express-rate-limit'),
    handler,
  });
}

/**
 * The limiter for refusals of POST /backchannel-logout: `perMinute` a minute per client address
 * (BACKCHANNEL_LOGOUT_RATE_LIMIT, 600 by default). The route calls it only for a request it is
 * refusing (routes/backchannel-logout.ts), so it counts refusals and never holds up a valid token.
 * `refuse` answers beyond the limit (the route's own JSON); Retry-After and the RateLimit headers
 * are already set when it runs.
 */
export function backchannelLogoutRateLimit({
  perMinute,
  logger,
  refuse,
}: {
  perMinute: number;
  logger: Logger;
  refuse: RequestHandler;
}): RequestHandler {
  return perMinuteLimit({ perMinute, logger, handler: refuse });
}
