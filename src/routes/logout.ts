import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { buildEndSessionUrl } from '../sign-in/end-session-url.js';
import type { ProviderMetadata } from '../sign-in/provider-metadata.js';
import type { CurrentSession } from '../sessions/index.js';

/** GET /logout never logs out (a link or an image could trigger it cross-site); it asks instead. */
export function logoutConfirmation(): RequestHandler {
  return (_req, res) => {
    res.render('pages/logout');
  };
}

/** A visitor who is already signed out has nothing to end: back home, no token needed. */
export function skipWhenSignedOut(): RequestHandler {
  return (_req, res, next) => {
    if (!res.locals.user) {
      res.redirect(303, '/');
      return;
    }
    next();
  };
}

interface Options {
  session: CurrentSession;
  metadata: ProviderMetadata;
  clientID: string;
  baseURL: string;
  logger: Logger;
}

/**
 * POST /logout (after the CSRF check): ends the session here first (the store entry is deleted
 * before the response leaves, so a copied cookie is worthless), then sends the browser to the
 * provider to end its session too. If the provider cannot be reached, the local logout still stands.
 */
export function logout({ session, metadata, clientID, baseURL, logger }: Options): RequestHandler {
  return async (req, res) => {
    const idTokenHint = session.read(req)?.id_token;
    const user = res.locals.userLogId;
    await session.end(req, res);
    res.locals.user = undefined;

    let target: string | undefined;
    let providerReached = true;
    try {
      target = buildEndSessionUrl({ discovery: await metadata.discovery(), clientID, returnTo: baseURL, idTokenHint });
    } catch (error) {
      providerReached = false;
      logger.warn({ reqId: req.id, err: error }, 'provider metadata unavailable; logged out locally only');
    }
    logger.info({ reqId: req.id, event: 'auth.logout', user, providerLogout: target !== undefined }, 'signed out');
    res.redirect(303, target ?? (providerReached ? '/' : '/?signed_out=local'));
  };
}
