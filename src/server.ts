import { createServer } from 'node:http';
import dotenv from 'dotenv';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import type { DevProvider } from './dev-provider/dev-provider.js';
import type { DemoUser } from './dev-provider/demo-users.js';
import { createProviderMetadata } from './sign-in/provider-metadata.js';
import { createSessionStore, storeAnswers } from './sessions/index.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { stopOnCrash } from './process/crash-guard.js';
import { trackInFlight } from './process/http-drain.js';
import { createLifecycle } from './process/lifecycle.js';
import { createLogger } from './logger.js';
import { inviteOnlyReadableBodies } from './middleware/request-bodies.js';
import { createShutdown } from './process/shutdown.js';

const STORE_STARTUP_WAIT_MS = 5000;
/**
 * How often Node looks for connections past HEADERS_TIMEOUT_MS or REQUEST_TIMEOUT_MS (its default,
 * 30 s, would let a slow client hold a connection for up to 30 s beyond them). A pass over the
 * open connections each second costs next to nothing.
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

function readConfig(): Config {
  dotenv.config({ quiet: true });
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * The embedded provider and its demo users are imported here only, when no issuer is configured:
 * with a real one, oidc-provider is never loaded (a development stand-in has no place in that
 * process, and on Node 20 it prints "Unsupported runtime" as it loads).
 */
async function startEmbeddedProvider(
  config: Config,
  logger: Logger,
): Promise<{ provider: DevProvider; demoUsers: readonly DemoUser[] }> {
  const [{ startDevProvider }, { demoUsers }] = await Promise.all([
    import('./dev-provider/dev-provider.js'),
    import('./dev-provider/demo-users.js'),
  ]);
  const provider = await startDevProvider({
    appBaseURL: config.baseURL,
    nodeEnv: config.nodeEnv,
    logger,
    accessTokenTtlSeconds: config.devProviderAccessTokenSeconds,
    rolesClaim: config.api.rolesClaim,
  });
  return { provider, demoUsers };
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger({ level: config.logLevel, pretty: config.logFormat === 'pretty' });

  const development = config.issuer ? undefined : await startEmbeddedProvider(config, logger);
  const devProvider = development?.provider;
  const issuer = config.issuer ?? devProvider?.issuer;
  if (!issuer) throw new Error('unreachable: no issuer and no development provider');
  const sessionStore = await createSessionStore(config, logger);
  if (!(await storeAnswers(sessionStore, STORE_STARTUP_WAIT_MS))) {
    logger.warn(
      { event: 'sessions.store_not_ready' },
      'the session store does not answer yet: signed-in pages answer 503 until it does',
    );
  }
  const metadata = createProviderMetadata(issuer.issuerBaseURL, config.providerTimeoutMs);
  const lifecycle = createLifecycle();
  // With the embedded provider standing in for the whole tenant, its Management API is the API:
  // /account and /admin work with no configuration, as they would against Auth0 with AUDIENCE set.
  const api = { ...config.api, audience: config.api.audience ?? devProvider?.managementAudience };
  const app = createApp({ ...config, issuer, api }, { logger, sessionStore, metadata, lifecycle });

  // Slow clients (slowloris, a body trickled byte by byte) are cut with 408 once their time is up;
  // the time a handler takes to answer is not limited here.
  const server = createServer(
    {
      headersTimeout: config.http.headersTimeoutMs,
      requestTimeout: config.http.requestTimeoutMs,
      keepAliveTimeout: config.http.keepAliveTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    app,
  );
  inviteOnlyReadableBodies(server);
  const stop = createShutdown({
    drain: trackInFlight(server),
    lifecycle,
    logger,
    resources: [
      { name: 'session store', close: () => sessionStore.close() },
      ...(devProvider ? [{ name: 'development provider', close: () => devProvider.close() }] : []),
    ],
    timeoutMs: config.shutdown.timeoutMs,
    delayMs: config.shutdown.delayMs,
    exit: (code) => process.exit(code),
  });
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  stopOnCrash(logger, stop);

  server.on('error', (error) => {
    logger.fatal({ err: error }, `cannot listen on port ${config.port}`);
    process.exit(1);
  });
  server.listen({ port: config.port, host: config.host }, () => {
    const lines = [`App listening on ${config.baseURL}`];
    if (development) {
      const { provider, demoUsers } = development;
      lines.push(
        `Mode: DEVELOPMENT, signing in with the embedded OpenID Provider at ${provider.origin}`,
        '      (a local stand-in for Auth0, not Auth0; its warnings above are expected)',
        `Demo users: ${demoUsers.map((user) => `${user.email} / ${user.password}`).join(', ')}`,
        'To use Auth0, set ISSUER_BASE_URL, CLIENT_ID, CLIENT_SECRET, BASE_URL and SECRET (see .env.example).',
      );
    } else {
      lines.push(`Mode: ${config.nodeEnv}, signing in with ${issuer.issuerBaseURL}`);
    }
    lines.push(
      config.sessionStore.sentinel
        ? `Sessions: Redis through Sentinel (primary '${config.sessionStore.sentinel.name}', shared by every instance)`
        : config.sessionStore.redisUrl
          ? 'Sessions: Redis (shared by every instance)'
          : 'Sessions: in memory (this process only; set REDIS_URL to share them)',
    );
    if (config.secretGenerated)
      lines.push('SECRET is not set: using a random one, so sessions end when the app restarts.');
    // The banner is for the person at the terminal; the log line is for the machines.
    process.stdout.write(`\n${lines.join('\n')}\n\n`);
    logger.info({ event: 'server.started', url: config.baseURL, devProvider: devProvider !== undefined }, 'listening');
    // Not awaited: a provider that is down must not keep the app from serving anonymous pages.
    metadata.discovery().then(
      () => logger.info({ event: 'provider.reachable' }, 'the sign-in service answers'),
      (error: unknown) =>
        logger.warn(
          { event: 'provider.unreachable', err: error },
          'the sign-in service does not answer: sign-in fails until it does',
        ),
    );
  });
}

await main();
