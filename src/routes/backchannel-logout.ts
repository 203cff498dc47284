import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { isHttpError } from 'http-errors';
import type { Logger } from 'pino';
import { InvalidLogoutToken, verifyLogoutToken } from '../auth/logout-token.js';
import type { ProviderMetadata } from '../auth/provider-metadata.js';
import type { ProviderLogout, SessionRegistry } from '../auth/session-registry.js';
import { BODY_LIMITS, readForm } from '../middleware/request-bodies.js';

interface Options {
  metadata: ProviderMetadata;
  clientID: string;
  sessions: SessionRegistry;
  logger: Logger;
}

/** Back-Channel Logout 1.0 section 2.8: a JSON error body, 400 for a bad request or a failed logout. */
function refuse(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, error_description: description });
}

/**
 * POST /backchannel-logout: the provider's server tells us a user's provider session ended.
 * Server to server, so no session and no CSRF token; only a form body, small. Answers 200 (the
 * OpenID conformance suite accepts nothing else; express-openid-connect's route answers 204) once
 * every matching session is gone from the shared store, so every instance has forgotten it.
 */
export function backchannelLogout({ metadata, clientID, sessions, logger }: Options): [RequestHandler, RequestHandler, ErrorRequestHandler] {
  const form = readForm({ limitBytes: BODY_LIMITS.logoutToken, parameterLimit: 5 });

  const handle: RequestHandler = async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const log = logger.child({ reqId: req.id });
    const token = (req.body as Record<string, unknown> | undefined)?.logout_token;
    if (typeof token !== 'string' || token === '') {
      refuse(res, 400, 'invalid_request', 'The request must be a form with a logout_token.');
      return;
    }
    let logout: ProviderLogout;
    try {
      logout = await verifyLogoutToken(token, { metadata, clientID });
    } catch (error) {
      const reason = error instanceof InvalidLogoutToken ? 'invalid_token' : 'provider_unreachable';
      log.warn({ event: 'auth.backchannel_logout.refused', reason, err: error }, 'logout token refused');
      refuse(res, 400, 'invalid_request', 'The logout token is not valid.');
      return;
    }
    let ended: number;
    try {
      ended = await sessions.endProviderSessions(logout);
    } catch (error) {
      log.error({ event: 'auth.backchannel_logout.failed', err: error }, 'sessions could not be ended');
      refuse(res, 400, 'temporarily_unavailable', 'The sessions could not be ended right now.');
      return;
    }
    log.info({ event: 'auth.backchannel_logout', userId: logout.sub, providerSession: logout.sid !== undefined, ended }, 'back-channel logout');
    res.status(200).end();
  };

  // Body-parser failures (too large, malformed) answer JSON too: the caller is a server, not a person.
  const parseErrors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (!isHttpError(error) || error.status >= 500) {
      next(error);
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    refuse(res, error.status, 'invalid_request', error.status === 413 ? 'The request is too large.' : 'The request could not be read.');
  };

  return [form, handle, parseErrors];
}
