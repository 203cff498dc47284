import express, { Router } from 'express';
import openid from 'express-openid-connect';
import type { Logger } from 'pino';
import type { ProviderMetadata } from '../auth/provider-metadata.js';
import type { SessionAccess } from '../auth/session-data.js';
import type { SessionRegistry } from '../auth/session-registry.js';
import { signInRateLimit } from '../middleware/rate-limit.js';
import { verifyCsrf } from '../middleware/verify-csrf.js';
import { backchannelLogout } from './backchannel-logout.js';
import { callback } from './callback.js';
import { home } from './home.js';
import { login } from './login.js';
import { logout, logoutConfirmation, skipWhenSignedOut } from './logout.js';
import { profile } from './profile.js';
import { endSessions, sessionsPage } from './sessions.js';

interface Deps {
  baseURL: string;
  clientID: string;
  redirectUri: string;
  signInRateLimit: number;
  transactionCookie: string;
  session: SessionAccess;
  metadata: ProviderMetadata;
  sessions: SessionRegistry;
  logger: Logger;
}

/**
 * Every URL of the app (sign-in routes rate-limited). GET /healthz and GET /readyz
 * (routes/health.ts) are mounted in app.ts ahead of sessions, and never rate-limited.
 */
export function routes(deps: Deps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });
  // viewLocals already decided who is signed in; asking the library again would decode the ID token twice.
  const signedInOnly = openid.requiresAuth((req) => req.res?.locals.user === undefined);

  const limited = () => signInRateLimit({ perMinute: deps.signInRateLimit, logger: deps.logger });

  router.get('/', home());
  router.get('/login', limited(), login());
  router.get('/callback', limited(), callback(deps));
  router.get('/profile', signedInOnly, profile());
  router.get('/logout', logoutConfirmation());
  router.post('/logout', form, skipWhenSignedOut(), verifyCsrf(deps.baseURL), logout(deps));
  router.get('/sessions', openid.requiresAuth(), sessionsPage(deps));
  router.post('/sessions/end', form, openid.requiresAuth(), verifyCsrf(deps.baseURL), endSessions(deps, 'one'));
  router.post('/sessions/end-others', form, openid.requiresAuth(), verifyCsrf(deps.baseURL), endSessions(deps, 'others'));
  // Called by the provider's server, not a browser: no session, no CSRF token (the signed token is the proof).
  router.post('/backchannel-logout', ...backchannelLogout(deps));

  return router;
}
