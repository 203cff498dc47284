import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import openid from 'express-openid-connect';
import type { Logger } from 'pino';
import { completeSignIn } from './auth/complete-sign-in.js';
import { callbackUrl, cookieNames, openidOptions } from './auth/openid-options.js';
import { createProviderMetadata, type ProviderMetadata } from './auth/provider-metadata.js';
import { sessionAccess } from './auth/session-data.js';
import { trackSessionReads } from './auth/session-read-failures.js';
import type { AppSessionStore } from './auth/session-registry.js';
import type { AppConfig } from './config.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';
import { errorHandler, notFound } from './middleware/error-pages.js';
import { requestId } from './middleware/request-id.js';
import { requestLogging } from './middleware/request-logging.js';
import { noStore, securityHeaders } from './middleware/security-headers.js';
import { refuseUnreadableSession } from './middleware/session-unavailable.js';
import { viewLocals } from './middleware/view-locals.js';
import { health } from './routes/health.js';
import { routes } from './routes/index.js';

export interface AppDeps {
  logger: Logger;
  /** Where sessions live (see auth/session-store.ts); the cookie only carries the signed id of one. */
  sessionStore: AppSessionStore;
  metadata?: ProviderMetadata;
  /** Tells /readyz that shutdown has begun; server.ts owns it. */
  lifecycle?: Lifecycle;
}

const viewsDir = fileURLToPath(new URL('../views', import.meta.url));
const publicDir = fileURLToPath(new URL('../public', import.meta.url));

/** Assembles the app. Pure wiring: no environment, no listening (that is server.ts). */
export function createApp(config: AppConfig, deps: AppDeps): Express {
  const { logger, sessionStore } = deps;
  const metadata = deps.metadata ?? createProviderMetadata(config.issuer.issuerBaseURL, config.providerTimeoutMs);
  const cookies = cookieNames(config.baseURL);
  const session = sessionAccess(cookies.session);
  const providerOrigin = new URL(config.issuer.issuerBaseURL).origin;

  const app = express();
  app.disable('x-powered-by');
  // Which X-Forwarded-For hops to believe for req.ip (rate limits, logs); off unless TRUST_PROXY says.
  app.set('trust proxy', config.trustProxy);
  app.set('views', viewsDir);
  app.set('view engine', 'ejs');
  app.set('view cache', config.nodeEnv === 'production');

  app.use(requestId());
  app.use(requestLogging(logger));
  app.use(securityHeaders({ baseURL: config.baseURL, providerOrigin }));
  // Before sessions (a probe never reads or creates one) and before any rate limit.
  app.use(health({ metadata, sessionStore, lifecycle: deps.lifecycle ?? createLifecycle(), logger }));
  app.use(express.static(publicDir, { index: false }));
  app.use(noStore());
  app.use(trackSessionReads());
  app.use(openid.auth(openidOptions(config, { store: sessionStore, afterCallback: completeSignIn({ metadata, clientID: config.issuer.clientID, logger }) })));
  app.use(refuseUnreadableSession(session));
  app.use(viewLocals(session));
  app.use(
    routes({
      baseURL: config.baseURL,
      clientID: config.issuer.clientID,
      redirectUri: callbackUrl(config.baseURL),
      signInRateLimit: config.signInRateLimit,
      transactionCookie: cookies.transaction,
      session,
      metadata,
      sessions: sessionStore,
      logger,
    }),
  );
  app.use(notFound());
  app.use(errorHandler(logger));
  return app;
}
