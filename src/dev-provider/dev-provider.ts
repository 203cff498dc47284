import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import helmet from 'helmet';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type Koa from 'koa';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { IssuerSettings } from '../config.js';
import { isLoopbackUrl } from '../loopback.js';
import { managementAudienceOf } from './access-tokens.js';
import { apiTokenVerifier } from './api-tokens.js';
import { devInteractions } from './login-interactions.js';
import { managementApi } from './management-api.js';
import { offlineAccessWithoutConsentPrompt } from './offline-access.js';
import { devProviderConfiguration } from './provider-configuration.js';
import { assetsDir, viewsDir } from './files.js';
import { DEFAULT_ROLES_CLAIM } from '../config.js';
import type { UserMetadata } from './user-metadata.js';
import { userinfoForApiTokens } from './userinfo-for-api-tokens.js';

export interface DevProviderOptions {
  /** The app that signs in here: its /callback and its home page are the only allowed redirects. */
  appBaseURL: string;
  nodeEnv: string;
  /** Set when a real provider is configured; the embedded one then refuses to start. */
  port?: number;
  logger: Logger;
  /** Koa middleware run around the provider's routes; tests use it to make the provider misbehave. */
  middleware?: ProviderMiddleware[];
  /**
   * The private RS256 key to sign with (with `kid`). Tests pass their own so they can forge tokens
   * exactly as this provider would sign them; otherwise a fresh key is made at each start.
   */
  signingKey?: JWK;
  /** Adds `session_expiry` to ID tokens, this many seconds after issue (off by default). */
  sessionExpirySeconds?: number;
  /**
   * Lifetime of access tokens for the Management API (default 120 s): short, so that an app's
   * refresh is seen within minutes in development.
   */
  accessTokenTtlSeconds?: number;
  /** The namespaced claim that carries the user's roles (default {@link DEFAULT_ROLES_CLAIM}). */
  rolesClaim?: string;
}

/** `ctx.oidc` exists only once the provider's router has matched a route (after `await next()`). */
export type ProviderMiddleware = (
  ctx: Koa.ParameterizedContext<Koa.DefaultState, Koa.DefaultContext & { oidc?: KoaContextWithOIDC['oidc'] }>,
  next: Koa.Next,
) => Promise<void>;

export interface DevProvider {
  issuer: IssuerSettings;
  provider: Provider;
  origin: string;
  /** The Management API's audience, `${issuer}api/v2/`, as Auth0's `https://{tenant}/api/v2/`. */
  managementAudience: string;
  close(): Promise<void>;
}

/**
 * Starts the embedded OpenID Provider on loopback: a real oidc-provider, set up like an Auth0
 * tenant with demo users, so the app runs with no configuration. Never in production, never beside
 * a real issuer, never for an app off loopback: each of those throws.
 */
export async function startDevProvider(options: DevProviderOptions): Promise<DevProvider> {
  if (options.nodeEnv === 'production')
    throw new Error('The embedded development provider refuses to run with NODE_ENV=production.');
  // Its demo users' passwords are public: only an app reached on this machine may use it.
  if (!isLoopbackUrl(options.appBaseURL))
    throw new Error('The embedded development provider refuses to run for an app whose BASE_URL is not loopback.');

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const issuer = `${origin}/`;

  const signingKey = options.signingKey ?? (await generateSigningKey());
  const client = {
    clientID: 'dev-client',
    clientSecret: randomBytes(32).toString('hex'),
    appBaseURL: options.appBaseURL,
  };
  const rolesClaim = options.rolesClaim ?? DEFAULT_ROLES_CLAIM;
  const provider = new Provider(
    issuer,
    devProviderConfiguration({
      issuer,
      client,
      signingKey,
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 120,
      rolesClaim,
      sessionExpirySeconds: options.sessionExpirySeconds,
    }),
  );
  provider.use(offlineAccessWithoutConsentPrompt);
  for (const middleware of options.middleware ?? []) provider.use(middleware as Parameters<Provider['use']>[0]);
  provider.on('server_error', (_ctx, error) => options.logger.error({ err: error }, 'development provider error'));
  provider.on('backchannel.error', (_ctx, error) =>
    options.logger.warn({ err: error }, 'development provider: back-channel logout to the app failed'),
  );

  const verify = apiTokenVerifier(issuer, signingKey);
  const managementAudience = managementAudienceOf(issuer);
  const apis = [
    userinfoForApiTokens({ issuer, rolesClaim, verify }),
    managementApi({ issuer, audience: managementAudience, verify, store: new Map<string, UserMetadata>() }),
  ];
  server.on('request', providerApp(provider, origin, options, apis));
  return {
    issuer: { issuerBaseURL: issuer, clientID: client.clientID, clientSecret: client.clientSecret },
    provider,
    origin,
    managementAudience,
    close: () => closeServer(server),
  };
}

/** A private RS256 JWK with a random `kid`, as oidc-provider wants its signing keys. */
export async function generateSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: `dev-${randomBytes(4).toString('hex')}`, use: 'sig', alg: 'RS256' };
}

function providerApp(
  provider: Provider,
  origin: string,
  { appBaseURL, logger }: DevProviderOptions,
  apis: express.RequestHandler[],
) {
  const app = express();
  app.disable('x-powered-by');
  // oidc-provider builds the URLs it sends browsers to (the login form's way back to /authorize)
  // from the request's Host: answer only requests addressed to this provider itself (its port, on
  // a loopback name).
  const { port } = new URL(origin);
  const ownHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  app.use((req, res, next) => {
    if (ownHosts.has(req.headers.host ?? '')) next();
    else res.status(421).type('text/plain').send('Misdirected request: this provider answers only at its own address.');
  });
  app.set('views', viewsDir);
  app.set('view engine', 'ejs');
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'"],
          // Form posts here end in redirects back to the app, which form-action also governs.
          formAction: ["'self'", new URL(appBaseURL).origin],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      strictTransportSecurity: false,
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  // A folder is never redirected to its trailing-slash URL: that URL would be built from the request target.
  app.use('/assets', express.static(assetsDir, { index: false, redirect: false }));
  app.use(devInteractions(provider, logger));
  app.use(apis);
  app.use(provider.callback());
  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    logger.warn({ err: error }, 'development provider interaction failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(400).render('error', {
      error: 'invalid_request',
      description: 'This sign-in link has expired or was already used. Go back to the app and log in again.',
    });
  };
  app.use(onError);
  return app;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
