import express, { Router } from 'express';
import openid from 'express-openid-connect';
import type { Logger } from 'pino';
import type { ProviderMetadata } from '../auth/provider-metadata.js';
import type { SessionAccess } from '../auth/session-data.js';
import { verifyCsrf } from '../middleware/verify-csrf.js';
import { home } from './home.js';
import { login } from './login.js';
import { logout, logoutConfirmation, skipWhenSignedOut } from './logout.js';
import { profile } from './profile.js';

interface Deps {
  baseURL: string;
  clientID: string;
  session: SessionAccess;
  metadata: ProviderMetadata;
  logger: Logger;
}

/**
 * Every URL of the app. GET /callback is express-openid-connect's own route (mounted with auth());
 * GET /healthz and GET /readyz (routes/health.ts) are mounted in app.ts ahead of sessions.
 */
export function routes(deps: Deps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });

  router.get('/', home());
  router.get('/login', login());
  router.get('/profile', openid.requiresAuth(), profile());
  router.get('/logout', logoutConfirmation());
  router.post('/logout', form, skipWhenSignedOut(), verifyCsrf(deps.baseURL), logout(deps));

  return router;
}
