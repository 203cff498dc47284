import { Router, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { ProviderMetadata } from '../sign-in/provider-metadata.js';
import type { CurrentSession, SessionRegistry } from '../sessions/index.js';
import type { ManagementApi } from '../sign-in/management-api.js';
import { claimIncludes } from '../middleware/require-claims.js';
import { signInRateLimit } from '../middleware/rate-limit.js';
import type { LimitStoreFor } from '../middleware/rate-limit-store.js';
import { BODY_LIMITS, readForm } from '../middleware/request-bodies.js';
import { requireSignIn } from '../middleware/require-sign-in.js';
import { verifyCsrf } from '../middleware/verify-csrf.js';
import { accountPage, saveAccount } from './account.js';
import { adminPage } from './admin.js';
import { backchannelLogout } from './backchannel-logout.js';
import { callback, finishSignIn } from './callback.js';
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
  backchannelLogoutRateLimit: number;
  /** Where rate limits count (memory, or the Redis every instance shares). */
  limitStores: LimitStoreFor;
  transactionCookie: string;
  session: CurrentSession;
  /**
   * express-openid-connect, for the requests that start or finish a sign-in: it sets
   * `req.oidc` / `res.oidc` and never sees the visitor's existing session.
   */
  openid: RequestHandler;
  metadata: ProviderMetadata;
  sessions: SessionRegistry;
  /** The provider's Management API, when AUDIENCE is it (else /account explains how to set it up). */
  managementApi?: ManagementApi;
  /** What log lines say for a user (sessions/session-keys.ts userLogId). */
  logIdOf: (sub: string) => string;
  logger: Logger;
}

/**
 * Every URL of the app (sign-in routes and back-channel logout rate-limited). GET /healthz and
 * GET /readyz (routes/health.ts) are mounted in app.ts ahead of sessions, and never rate-limited.
 */
export function routes(deps: Deps): Router {
  const router = Router();
  const form = readForm({ limitBytes: BODY_LIMITS.form, parameterLimit: 10 });
  const signedIn = requireSignIn(deps.openid, deps.baseURL);

  const limited = (route: 'login' | 'callback') =>
    signInRateLimit({ route, perMinute: deps.signInRateLimit, logger: deps.logger, stores: deps.limitStores });

  router.get('/', home());
  router.get('/login', limited('login'), deps.openid, login(deps));
  router.get('/callback', limited('callback'), callback(deps), deps.openid, finishSignIn(deps));
  router.get('/profile', signedIn, profile());
  router.get('/logout', logoutConfirmation());
  router.post('/logout', form, skipWhenSignedOut(), verifyCsrf(deps.baseURL), logout(deps));
  router.get('/sessions', signedIn, sessionsPage(deps));
  router.get('/account', signedIn, accountPage(deps));
  router.post('/account', form, signedIn, verifyCsrf(deps.baseURL), saveAccount(deps));
  // Authorization example: the role comes from the ID token's ROLES_CLAIM (an Auth0 Action adds it).
  router.get('/admin', signedIn, claimIncludes('roles', 'admin'), adminPage());
  router.post('/sessions/end', form, signedIn, verifyCsrf(deps.baseURL), endSessions(deps, 'one'));
  router.post('/sessions/end-others', form, signedIn, verifyCsrf(deps.baseURL), endSessions(deps, 'others'));
  // Called by the provider's server, not a browser: no session, no CSRF token (the signed token is
  // the proof); rate-limited generously, per client address.
  // Refusals beyond BACKCHANNEL_LOGOUT_RATE_LIMIT a minute per address get 429; a valid token never does.
  router.post('/backchannel-logout', ...backchannelLogout(deps));

  return router;
}
