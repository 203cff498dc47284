import { createServer } from 'node:http';
import dotenv from 'dotenv';
import { createApp } from './app.js';
import { startDevProvider, type DevProvider } from './auth/dev-provider.js';
import { demoUsers } from './auth/dev-users.js';
import { createSessionStore, storeAnswers } from './auth/session-store.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';

const SHUTDOWN_GRACE_MS = 10_000;
const STORE_STARTUP_WAIT_MS = 5000;

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

async function main(): Promise<void> {
  const config = readConfig();
  const pretty = config.nodeEnv === 'development' && process.stdout.isTTY;
  const logger = createLogger({ level: config.logLevel, pretty });

  const devProvider: DevProvider | undefined = config.issuer
    ? undefined
    : await startDevProvider({ appBaseURL: config.baseURL, nodeEnv: config.nodeEnv, externalIssuer: process.env.ISSUER_BASE_URL, logger });
  const issuer = config.issuer ?? devProvider?.issuer;
  if (!issuer) throw new Error('unreachable: no issuer and no development provider');
  const sessionStore = createSessionStore(config, logger);
  if (!(await storeAnswers(sessionStore, STORE_STARTUP_WAIT_MS))) {
    logger.warn({ event: 'sessions.store_not_ready' }, 'the session store does not answer yet: signed-in pages answer 503 until it does');
  }
  const app = createApp({ ...config, issuer }, { logger, sessionStore });

  const server = createServer(app);
  server.on('error', (error) => {
    logger.fatal({ err: error }, `cannot listen on port ${config.port}`);
    process.exit(1);
  });
  server.listen(config.port, () => {
    const lines = [`App listening on ${config.baseURL}`];
    if (devProvider) {
      lines.push(
        `Mode: DEVELOPMENT, signing in with the embedded OpenID Provider at ${devProvider.origin}`,
        '      (a local stand-in for Auth0, not Auth0; its warnings above are expected)',
        `Demo users: ${demoUsers.map((user) => `${user.email} / ${user.password}`).join(', ')}`,
        'To use Auth0, set ISSUER_BASE_URL, CLIENT_ID, CLIENT_SECRET, BASE_URL and SECRET (see .env.example).',
      );
    } else {
      lines.push(`Mode: ${config.nodeEnv}, signing in with ${issuer.issuerBaseURL}`);
    }
    lines.push(config.sessionStore.redisUrl ? 'Sessions: Redis (shared by every instance)' : 'Sessions: in memory (this process only; set REDIS_URL to share them)');
    if (config.secretGenerated) lines.push('SECRET is not set: using a random one, so sessions end when the app restarts.');
    // The banner is for the person at the terminal; the log line is for the machines.
    process.stdout.write(`\n${lines.join('\n')}\n\n`);
    logger.info({ event: 'server.started', url: config.baseURL, devProvider: devProvider !== undefined }, 'listening');
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const forced = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    forced.unref();
    server.close(() => {
      void Promise.all([sessionStore.close(), devProvider?.close()]).then(() => {
        logger.info('stopped');
        process.exit(0);
      });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

await main();
