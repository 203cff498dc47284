import type { RequestHandler } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import createError from 'http-errors';
import type { Logger } from 'pino';
import { libraryLogger } from '../logger.js';
import { CountUnavailable, type LimitStoreFor } from './rate-limit-store.js';

/**
 * A limiter for one sign-in route (/login, /callback: each call counts separately), allowing
 * `perMinute` requests a minute per client address (SIGN_IN_RATE_LIMIT, 30 by default). A person
 * signs in a handful of times a day; 30 a minute still lets an office behind one NAT address sign
 * in at nine o'clock, and stops scripts that hammer these routes (every /login mints a
 * transaction, every /callback can make us call the provider's token endpoint).
 * The client address is `req.ip`, which honours X-Forwarded-For only as far as TRUST_PROXY allows,
 * so a client cannot reset its count with a made-up header. Over the limit: 429 through the normal
 * error page (or JSON), with Retry-After and the standard RateLimit headers.
 * With REDIS_URL the count lives in Redis, shared by every instance and kept across restarts; when
 * Redis does not answer, the request goes through uncounted (see rate-limit-store.ts). Without
 * REDIS_URL it lives in this process.
 */
export function signInRateLimit({
  route,
  perMinute,
  logger,
  stores,
}: {
  route: 'login' | 'callback';
  perMinute: number;
  logger: Logger;
  stores: LimitStoreFor;
}): RequestHandler {
  return perMinuteLimit({
    perMinute,
    logger,
    store: stores(`rate-limit:sign-in:${route}:`),
    handler: (_req, _res, next) => {
      next(createError(429));
    },
  });
}

/**
 * `perMinute` a minute per client address, with the standard headers; `handler` answers beyond it.
 * Counted in `store`, or in the library's memory store without one.
 */
function perMinuteLimit({
  perMinute,
  logger,
  store,
  handler,
}: {
  perMinute: number;
  logger: Logger;
  store: Store | undefined;
  handler: RequestHandler;
}): RequestHandler {
  // The library's one-time misconfiguration warnings (such as X-Forwarded-For arriving while
  // TRUST_PROXY is off) belong in our log, not on stderr.
  const library = libraryLogger(logger, 'express-rate-limit');
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // A shared count that Redis cannot give lets the request through: sessions in that Redis
    // already fail closed, and refusing every sign-in during an outage would shut out everyone.
    ...(store ? { store, passOnStoreError: true } : {}),
    logger: {
      warn: library.warn,
      // The library logs every request it lets through uncounted; the store already said so, once a minute.
      error: (error, message) => {
        if (!(error instanceof CountUnavailable)) library.error(error, message);
      },
    },
    handler,
  });
}

/**
 * The limiter for refusals of POST /backchannel-logout: `perMinute` a minute per client address
 * (BACKCHANNEL_LOGOUT_RATE_LIMIT, 600 by default). The route calls it only for a request it is
 * refusing (routes/backchannel-logout.ts), so it counts refusals and never holds up a valid token.
 * `refuse` answers beyond the limit (the route's own JSON); Retry-After and the RateLimit headers
 * are already set when it runs. Counted where the sign-in limits are (see signInRateLimit).
 */
export function backchannelLogoutRateLimit({
  perMinute,
  logger,
  stores,
  refuse,
}: {
  perMinute: number;
  logger: Logger;
  stores: LimitStoreFor;
  refuse: RequestHandler;
}): RequestHandler {
  return perMinuteLimit({ perMinute, logger, store: stores('rate-limit:backchannel:'), handler: refuse });
}
