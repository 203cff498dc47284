import { join } from 'node:path';
import express, { type Express } from 'express';
import openid from 'express-openid-connect';
import type { Logger } from 'pino';
import { completeSignIn } from './sign-in/complete-sign-in.js';
import { callbackUrl, cookieNames, openidOptions } from './sign-in/openid-options.js';
import { createProviderMetadata, type ProviderMetadata } from './sign-in/provider-metadata.js';
import { createAccessTokens } from './sign-in/access-tokens.js';
import { createManagementApi, managementApiBase } from './sign-in/management-api.js';
import { createTokenClient } from './sign-in/token-client.js';
import {
  currentSession,
  deriveSecretKeys,
  loadSession,
  sessionCookie,
  userLogId,
  type SessionStore,
} from './sessions/index.js';
import type { AppConfig } from './config.js';
import { createLifecycle, type Lifecycle } from './process/lifecycle.js';
import { errorHandler, notFound } from './middleware/error-pages.js';
import { providerFailFast } from './sign-in/provider-fail-fast.js';
import { limitStores } from './middleware/rate-limit-store.js';
import { requestId } from './middleware/request-id.js';
import { requestLogging } from './middleware/request-logging.js';
import { closeAfterUnreadBodies } from './middleware/request-bodies.js';
import { noStore, securityHeaders } from './middleware/security-headers.js';
import { staticAssets } from './middleware/static-assets.js';
import { viewLocals } from './middleware/view-locals.js';
import { health } from './routes/health.js';
import { routes } from './routes/index.js';
import { ejsEngine } from './view-engine.js';
import { projectRoot } from './project-root.js';

export interface AppDeps {
  logger: Logger;
  /** Where sessions live (see sessions/create-session-store.ts); the cookie only carries the signed id of one. */
  sessionStore: SessionStore;
  metadata?: ProviderMetadata;
  /** Tells /readyz that shutdown has begun; server.ts owns it. */
  lifecycle?: Lifecycle;
}

const root = projectRoot(import.meta.url);
const viewsDir = join(root, 'views');
const publicDir = join(root, 'public');

/** Assembles the app. Pure wiring: no environment, no listening (that is server.ts). */
export function createApp(config: AppConfig, deps: AppDeps): Express {
  const { logger, sessionStore } = deps;
  const metadata = deps.metadata ?? createProviderMetadata(config.issuer.issuerBaseURL, config.providerTimeoutMs);
  const cookies = cookieNames(config.baseURL);
  const cookie = sessionCookie(cookies.session, { secure: config.baseURL.startsWith('https:') });
  const session = currentSession({ store: sessionStore, cookie });
  const providerOrigin = new URL(config.issuer.issuerBaseURL).origin;
  const assets = staticAssets(publicDir);
  const production = config.nodeEnv === 'production';
  const signer = sessionStore.ids;
  const keys = deriveSecretKeys(config.secrets);
  const lifetime = {
    idleSeconds: config.session.idleTimeoutSeconds,
    absoluteSeconds: config.session.absoluteTimeoutSeconds,
  };
  const logIdOf = (sub: string) => userLogId(keys, sub);
  const managementBase = managementApiBase(config.api.audience, config.issuer.issuerBaseURL);
  const managementApi =
    managementBase === undefined ? undefined : createManagementApi(managementBase, config.providerTimeoutMs);
  const tokenClient = createTokenClient(metadata, config.issuer, config.providerTimeoutMs);
  const accessTokens = createAccessTokens({
    enabled: config.api.audience !== undefined,
    store: sessionStore,
    session,
    client: tokenClient,
    providerTimeoutMs: config.providerTimeoutMs,
    storeTimeoutMs: config.sessionStore.redisTimeoutMs,
    logger,
  });
  // However a session ends (logout, /sessions, back-channel logout, the per-user cap), its refresh
  // token is revoked at the provider: best effort, in the background, never holding up the logout.
  sessionStore.whenSessionsEnd((refreshTokens) => {
    for (const token of refreshTokens)
      tokenClient.revoke(token).catch((error: unknown) => {
        logger.warn({ event: 'auth.revoke.failed', err: error }, 'could not revoke an ended session refresh token');
      });
  });
  const auth = openid.auth(
    openidOptions(config, {
      store: sessionStore,
      signer,
      afterCallback: completeSignIn({
        metadata,
        clientID: config.issuer.clientID,
        baseURL: config.baseURL,
        session,
        logIdOf,
        logger,
        rolesClaim: config.api.rolesClaim,
        keepTokens: config.api.audience !== undefined,
        managementApi,
      }),
    }),
  );
  // The library starts and finishes sign-ins only; the session a request comes with is loadSession's.
  // It is not asked while the provider is known to be down (see providerFailFast).
  const withOpenid = providerFailFast(metadata, (req, res, next) => {
    cookie.hideFrom(req);
    void auth(req, res, next);
  });

  const app = express();
  app.disable('x-powered-by');
  // Pages are no-store, so no browser ever revalidates them: hashing every body for an ETag is
  // wasted work. Static assets keep theirs (express.static makes its own).
  app.set('etag', false);
  // Which X-Forwarded-For hops to believe for req.ip (rate limits, logs); off unless TRUST_PROXY says.
  app.set('trust proxy', config.trustProxy);
  app.set('views', viewsDir);
  app.set('view engine', 'ejs');
  app.set('view cache', production);
  app.engine('ejs', ejsEngine(viewsDir, { cache: production }));
  app.locals.assetUrl = assets.url;
  // On this app's request prototype: no work, no allocation for a request that never calls it.
  Object.defineProperty(app.request, 'accessToken', {
    value: function accessToken(this: express.Request) {
      if (!this.res) return Promise.reject(new Error('unreachable: a request without its response'));
      return accessTokens.get(this, this.res);
    },
  });

  // First: a request pipelined behind a refused body is dropped before anything runs or logs it.
  app.use(closeAfterUnreadBodies());
  app.use(requestId());
  app.use(requestLogging(logger));
  app.use(securityHeaders({ baseURL: config.baseURL, providerOrigin }));
  // Before sessions (a probe never reads or creates one) and before any rate limit.
  app.use(health({ metadata, sessionStore, lifecycle: deps.lifecycle ?? createLifecycle(), logger }));
  app.use(assets.prefix, assets.serve);
  app.use(noStore());
  app.use(loadSession({ store: sessionStore, cookie, signer, lifetime, logger }));
  app.use(viewLocals(session));
  app.use(
    routes({
      baseURL: config.baseURL,
      clientID: config.issuer.clientID,
      redirectUri: callbackUrl(config.baseURL),
      signInRateLimit: config.signInRateLimit,
      backchannelLogoutRateLimit: config.backchannelLogoutRateLimit,
      // In the sessions' Redis when there is one, so that every instance counts together.
      limitStores: limitStores({ sendCommand: sessionStore.sendRedisCommand, logger }),
      transactionCookie: cookies.transaction,
      session,
      openid: withOpenid,
      metadata,
      sessions: sessionStore,
      managementApi,
      logIdOf,
      logger,
    }),
  );
  app.use(notFound());
  app.use(errorHandler(logger));
  return app;
}
