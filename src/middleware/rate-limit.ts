import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import createError from 'http-errors';
import type { Logger } from 'pino';
import { libraryLogger } from '../logger.js';

/**
 * Requests allowed per client address on each sign-in route (/login, /callback), per minute.
 * A person signs in a handful of times a day; 30 a minute still lets an office behind one NAT
 * address sign in at nine o'clock, and stops scripts that hammer these routes (every /login mints
 * a transaction, every /callback can make us call the provider's token endpoint).
 * The count lives in this process: with several instances each keeps its own.
 */
export const SIGN_IN_LIMIT = { windowMs: 60_000, limit: 30 } as const;

/**
 * A limiter for one sign-in route (each call counts separately). The client address is `req.ip`,
 * which honours X-Forwarded-For only as far as TRUST_PROXY allows, so a client cannot reset its
 * count by sending a made-up header. Over the limit: 429 through the normal error page (or JSON),
 * with Retry-After and the standard RateLimit headers.
 */
export function signInRateLimit(logger: Logger): RequestHandler {
  return rateLimit({
    ...SIGN_IN_LIMIT,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    // The library's one-time misconfiguration warnings (such as X-Forwarded-For arriving while
    // TRUST_PROXY is off) belong in our log, not on stderr.
    logger: libraryLogger(logger, 'express-rate-limit'),
    handler: (_req, _res, next) => {
      next(createError(429));
    },
  });
}
