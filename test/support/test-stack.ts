import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.js';
import { startDevProvider, type DevProvider, type DevProviderOptions } from '../../src/auth/dev-provider.js';
import type { AppSessionStore } from '../../src/auth/session-registry.js';
import { createSessionStore, storeAnswers } from '../../src/auth/session-store.js';
import { loadConfig, type AppConfig, type IssuerSettings } from '../../src/config.js';
import { createLifecycle, type Lifecycle } from '../../src/lifecycle.js';
import { captureLogs } from './logs.js';

/** One running copy of the app: its own server, store client and logs, like one process. */
export interface AppInstance {
  origin: string;
  store: AppSessionStore;
  logs: ReturnType<typeof captureLogs>;
  /** What server.ts flips when shutdown begins. */
  lifecycle: Lifecycle;
  close(): Promise<void>;
}

export interface TestStack {
  /** The first instance's origin, which is also BASE_URL (the provider sends browsers there). */
  appOrigin: string;
  config: AppConfig;
  provider: DevProvider;
  /** The first instance's store. */
  store: AppSessionStore;
  logs: ReturnType<typeof captureLogs>;
  /** The first instance's lifecycle: what server.ts flips when shutdown begins. */
  lifecycle: Lifecycle;
  /** Every request path the provider received, in order (for "no /userinfo call" assertions). */
  providerRequests: string[];
  /**
   * Starts one more instance with the same configuration (SECRET, REDIS_URL, provider), as a
   * second process behind a load balancer would be; it is reached directly on its own port.
   */
  startInstance(): Promise<AppInstance>;
  close(): Promise<void>;
}

interface Options {
  env?: Record<string, string>;
  providerMiddleware?: DevProviderOptions['middleware'];
  /** Changes what the app believes about its registration (e.g. a wrong client secret). */
  issuer?: Partial<IssuerSettings>;
  /** The first instance's store, instead of the one the production factory would make. */
  store?: AppSessionStore;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function startInstance(config: AppConfig, server: Server = createServer(), logs = captureLogs(), given?: AppSessionStore): Promise<AppInstance> {
  const port = server.listening ? (server.address() as AddressInfo).port : await listen(server);
  // The production factory: REDIS_URL in the test's env selects Redis, as it does in server.ts.
  const store = given ?? createSessionStore(config, logs.logger);
  if (!(await storeAnswers(store, 5000))) throw new Error('the session store did not answer within 5 s');
  const lifecycle = createLifecycle();
  server.on('request', createApp(config, { logger: logs.logger, sessionStore: store, lifecycle }));
  return {
    origin: `http://localhost:${port}`,
    store,
    logs,
    lifecycle,
    async close() {
      await closeServer(server);
      await store.close();
    },
  };
}

/**
 * The production app (createApp) and the embedded provider, both on loopback, wired exactly as
 * server.ts wires them. The app is reached as localhost and the provider as 127.0.0.1, so their
 * cookies never mix (cookies ignore ports).
 */
export async function startTestStack(options: Options = {}): Promise<TestStack> {
  const server = createServer();
  const port = await listen(server);
  const appOrigin = `http://localhost:${port}`;
  // A fixed SECRET, so that every instance of this stack accepts the others' cookies.
  const base = loadConfig({ NODE_ENV: 'test', PORT: String(port), BASE_URL: appOrigin, LOG_LEVEL: 'debug', SECRET: 'test-secret-'.padEnd(40, 'x'), ...options.env });

  const providerRequests: string[] = [];
  const logs = captureLogs();
  const provider = await startDevProvider({
    appBaseURL: base.baseURL,
    nodeEnv: 'test',
    logger: logs.logger,
    middleware: [
      async (ctx, next) => {
        providerRequests.push(ctx.path);
        await next();
      },
      ...(options.providerMiddleware ?? []),
    ],
  });
  const config: AppConfig = { ...base, issuer: { ...provider.issuer, ...options.issuer } };
  const main = await startInstance(config, server, logs, options.store);
  const others: AppInstance[] = [];

  return {
    appOrigin,
    config,
    provider,
    store: main.store,
    logs: main.logs,
    lifecycle: main.lifecycle,
    providerRequests,
    async startInstance() {
      const instance = await startInstance(config);
      others.push(instance);
      return instance;
    },
    async close() {
      await Promise.all([main, ...others].map((instance) => instance.close()));
      await provider.close();
    },
  };
}
