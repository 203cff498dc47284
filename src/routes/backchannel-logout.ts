import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { isHttpError } from 'http-errors';
import type { Logger } from 'pino';
import { InvalidLogoutToken, verifyLogoutToken } from '../sign-in/logout-token.js';
import type { ProviderMetadata } from '../sign-in/provider-metadata.js';
import type { ProviderLogout, SessionRegistry } from '../sessions/index.js';
import { backchannelLogoutRateLimit } from '../middleware/rate-limit.js';
import type { LimitStoreFor } from '../middleware/rate-limit-store.js';
import { BODY_LIMITS, readForm } from '../middleware/request-bodies.js';
import { sampledLog } from '../middleware/sampled-log.js';

interface Options {
  metadata: ProviderMetadata;
  clientID: string;
  sessions: SessionRegistry;
  logIdOf: (sub: string) => string;
  logger: Logger;
  /** Requests a minute per client address (BACKCHANNEL_LOGOUT_RATE_LIMIT). */
  backchannelLogoutRateLimit: number;
  /** Where rate limits count (memory, or the Redis every instance shares). */
  limitStores: LimitStoreFor;
}

interface Refusal {
  status: number;
  /** Back-Channel Logout 1.0 section 2.8: an OAuth error code and a description, as JSON. */
  error: 'invalid_request' | 'temporarily_unavailable';
  description: string;
  /** For the log: what kind of refusal, counted per kind when they repeat. */
  reason: string;
  cause?: unknown;
}

/**
 * Which check refused a token, from a bounded set: jose's error code, or one of our own refusals'
 * fixed messages. A token refused for its claims or age passed the signature check, so only the
 * provider could have sent it: sampled apart, junk can never hide it.
 */
function refusedCheck(error: unknown): string | undefined {
  if (!(error instanceof InvalidLogoutToken)) return undefined;
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^ERR_[A-Z_]+$/.test(code) ? code : error.message;
}

/**
 * POST /backchannel-logout: the provider's server tells us a user's provider session ended.
 * Server to server, so no session and no CSRF token; only a form body, small. Answers 200 (the
 * OpenID conformance suite accepts nothing else; express-openid-connect's route answers 204) once
 * every matching session is gone from the shared store, so every instance has forgotten it.
 * Anyone can post here, so refusals are logged sampled (the first of each kind a minute in full,
 * then a count), never with the token, and a sender of many bad requests gets 429s (a per-address
 * limit on refusals). The work per request stays small: a 16 KB body, one signature check against
 * keys already fetched, no call to a provider that is down.
 */
export function backchannelLogout({
  metadata,
  clientID,
  sessions,
  logIdOf,
  logger,
  backchannelLogoutRateLimit: perMinute,
  limitStores,
}: Options): [RequestHandler, RequestHandler, ErrorRequestHandler] {
  const form = readForm({ limitBytes: BODY_LIMITS.logoutToken, parameterLimit: 5 });
  const refusals = sampledLog(logger);

  function refuse(req: Request, res: Response, { status, error, description, reason, cause }: Refusal): void {
    const event = reason === 'store_unavailable' ? 'auth.backchannel_logout.failed' : 'auth.backchannel_logout.refused';
    const detail = refusedCheck(cause);
    refusals.log(
      reason === 'store_unavailable' ? 'error' : 'warn',
      { event, reason, ...(detail ? { detail } : {}), reqId: req.id, status, err: cause },
      'back-channel logout refused',
    );
    // This request is logged (or counted) above: its request line would only repeat it, once per request of a flood.
    res.locals.refusalLogged = true;
    res.status(status).setHeader('Cache-Control', 'no-store');
    res.json({ error, error_description: description });
  }

  // Counts refusals only, and is consulted only once a request is being refused: a token that
  // verifies is never limited, so a flood of junk from the address the provider calls from (a
  // shared egress) cannot make its real logouts wait. Beyond the limit, refusals become 429s.
  const limitRefusals = backchannelLogoutRateLimit({
    perMinute,
    logger,
    stores: limitStores,
    refuse: (req, res) => {
      refuse(req, res, {
        status: 429,
        error: 'temporarily_unavailable',
        description: 'Too many requests. Retry after the time in Retry-After.',
        reason: 'too_many_requests',
      });
    },
  });
  const refuseCounted = (req: Request, res: Response, refusal: Refusal) => {
    void limitRefusals(req, res, () => {
      refuse(req, res, refusal);
    });
  };

  const handle: RequestHandler = async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const token = (req.body as Record<string, unknown> | undefined)?.logout_token;
    if (typeof token !== 'string' || token === '') {
      refuseCounted(req, res, {
        status: 400,
        error: 'invalid_request',
        description: 'The request must be a form with a logout_token.',
        reason: 'no_token',
      });
      return;
    }
    let logout: ProviderLogout;
    try {
      logout = await verifyLogoutToken(token, { metadata, clientID });
    } catch (error) {
      const reason = error instanceof InvalidLogoutToken ? 'invalid_token' : 'provider_unreachable';
      refuseCounted(req, res, {
        status: 400,
        error: 'invalid_request',
        description: 'The logout token is not valid.',
        reason,
        cause: error,
      });
      return;
    }
    let ended: number;
    try {
      ended = await sessions.endProviderSessions(logout);
    } catch (error) {
      refuse(req, res, {
        status: 400,
        error: 'temporarily_unavailable',
        description: 'The sessions could not be ended right now.',
        reason: 'store_unavailable',
        cause: error,
      });
      return;
    }
    logger.info(
      {
        reqId: req.id,
        event: 'auth.backchannel_logout',
        ...(logout.sub === undefined ? {} : { user: logIdOf(logout.sub) }),
        providerSession: logout.sid !== undefined,
        ended,
      },
      'back-channel logout',
    );
    res.status(200).end();
  };

  // Body-parser failures (too large, malformed) answer JSON too: the caller is a server, not a person.
  const parseErrors: ErrorRequestHandler = (error: unknown, req, res, next) => {
    if (!isHttpError(error) || error.status >= 500) {
      next(error);
      return;
    }
    const tooLarge = error.status === 413;
    refuseCounted(req, res, {
      status: error.status,
      error: 'invalid_request',
      description: tooLarge ? 'The request is too large.' : 'The request could not be read.',
      reason: tooLarge ? 'body_too_large' : 'body_unreadable',
      cause: error,
    });
  };

  return [form, handle, parseErrors];
}
