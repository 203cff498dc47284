import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { createApp } from '../../src/app.js';
import {
  generateSigningKey,
  startDevProvider,
  type DevProvider,
  type DevProviderOptions,
} from '../../src/dev-provider/dev-provider.js';
import type { SessionStore } from '../../src/sessions/session-registry.js';
import { createSessionStore, storeAnswers } from '../../src/sessions/create-session-store.js';
import { loadConfig, type AppConfig, type IssuerSettings } from '../../src/config.js';
import { createLifecycle, type Lifecycle } from '../../src/process/lifecycle.js';
import { TestBrowser } from './browser.js';
import { captureLogs } from './logs.js';
import { localhostCertificate } from './tls-certificate.js';

/** One running copy of the app: its own server, store client and logs, like one process. */
export interface AppInstance {
  origin: string;
  store: SessionStore;
  logs: ReturnType<typeof captureLogs>;
  /** What server.ts flips when shutdown begins. */
  lifecycle: Lifecycle;
  /**
   * Replaces the app with a fresh createApp on the same address, config and store, as a restarted
   * process would be: every cache (discovery, keys) is cold again.
   */
  restartApp(): void;
  close(): Promise<void>;
}

export interface TestStack {
  /** The first instance's origin, which is also BASE_URL (the provider sends browsers there). */
  appOrigin: string;
  config: AppConfig;
  provider: DevProvider;
  /** The provider's private signing key, so tests can forge tokens exactly as it signs them. */
  signingKey: JWK;
  /** The first instance's store. */
  store: SessionStore;
  logs: ReturnType<typeof captureLogs>;
  /** The first instance's lifecycle: what server.ts flips when shutdown begins. */
  lifecycle: Lifecycle;
  /** Every request path the provider received, in order (for "no /userinfo call" assertions). */
  providerRequests: string[];
  /** A browser that trusts this stack's certificate in HTTPS mode. */
  newBrowser(): TestBrowser;
  /** Restarts the first instance's app (see AppInstance.restartApp). */
  restartApp(): void;
  /**
   * Starts one more instance with the same configuration (SECRET, REDIS_URL, provider), as a
   * second process behind a load balancer would be; it is reached directly on its own port, over http.
   */
  startInstance(): Promise<AppInstance>;
  close(): Promise<void>;
}

export interface TestStackOptions {
  env?: Record<string, string>;
  providerMiddleware?: DevProviderOptions['middleware'];
  /** The first instance's store, instead of the one the production factory would make. */
  store?: SessionStore;
  /** Changes what the app believes about its registration (e.g. a wrong client secret). */
  issuer?: Partial<IssuerSettings>;
  /**
   * Call the embedded provider's Management API as the user, as `npm start` does with no
   * configuration (AUDIENCE defaults to it); off by default, so that sessions hold no token.
   */
  api?: boolean;
  /** Serve the app over TLS (a self-signed certificate for localhost); the provider stays on http. */
  https?: boolean;
  /** The provider puts `session_expiry` in its ID tokens, this many seconds after issue (DevProviderOptions). */
  sessionExpirySeconds?: number;
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

interface InstanceSetup {
  config: AppConfig;
  server: Server;
  origin: string;
  /** The server's request listener delegates here, so the app can be replaced in place. */
  mount: (app: RequestListener) => void;
  logs?: ReturnType<typeof captureLogs>;
  store?: SessionStore;
}

async function startInstance({
  config,
  server,
  origin,
  mount,
  logs = captureLogs(),
  store: given,
}: InstanceSetup): Promise<AppInstance> {
  // The production factory: REDIS_URL in the test's env selects Redis, as it does in server.ts.
  const store = given ?? (await createSessionStore(config, logs.logger));
  if (!(await storeAnswers(store, 5000))) throw new Error('the session store did not answer within 5 s');
  const lifecycle = createLifecycle();
  const restartApp = () => mount(createApp(config, { logger: logs.logger, sessionStore: store, lifecycle }));
  restartApp();
  return {
    origin,
    store,
    logs,
    lifecycle,
    restartApp,
    async close() {
      await closeServer(server);
      await store.close();
    },
  };
}

/** An http(s) server on loopback whose app can be swapped (restartApp). */
async function replaceableServer(certificate?: { key: string; cert: string }) {
  let app: RequestListener | undefined;
  const handle: RequestListener = (req, res) => app?.(req, res);
  const server = certificate ? createHttpsServer(certificate, handle) : createHttpServer(handle);
  const port = await listen(server);
  return {
    server,
    origin: `${certificate ? 'https' : 'http'}://localhost:${port}`,
    port,
    mount: (next: RequestListener) => {
      app = next;
    },
  };
}

/**
 * The production app (createApp) and the embedded provider, both on loopback, wired exactly as
 * server.ts wires them. The app is reached as localhost and the provider as 127.0.0.1, so their
 * cookies never mix (cookies ignore ports).
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const logs = captureLogs();
  const certificate = options.https ? await localhostCertificate() : undefined;
  const first = await replaceableServer(certificate);
  // A fixed SECRET, so that every instance of this stack accepts the others' cookies.
  const base = loadConfig({
    NODE_ENV: 'test',
    PORT: String(first.port),
    BASE_URL: first.origin,
    LOG_LEVEL: 'debug',
    SECRET: 'test-secret-'.padEnd(40, 'x'),
    ...options.env,
  });

  const providerRequests: string[] = [];
  const signingKey = await generateSigningKey();
  const provider = await startDevProvider({
    appBaseURL: base.baseURL,
    nodeEnv: 'test',
    logger: logs.logger,
    signingKey,
    sessionExpirySeconds: options.sessionExpirySeconds,
    accessTokenTtlSeconds: base.devProviderAccessTokenSeconds,
    rolesClaim: base.api.rolesClaim,
    middleware: [
      async (ctx, next) => {
        providerRequests.push(ctx.path);
        await next();
      },
      ...(options.providerMiddleware ?? []),
    ],
  });
  const api = options.api ? { ...base.api, audience: base.api.audience ?? provider.managementAudience } : base.api;
  const config: AppConfig = { ...base, api, issuer: { ...provider.issuer, ...options.issuer } };
  const main = await startInstance({ config, ...first, logs, store: options.store });
  const others: AppInstance[] = [];

  return {
    appOrigin: main.origin,
    config,
    provider,
    signingKey,
    store: main.store,
    logs: main.logs,
    lifecycle: main.lifecycle,
    providerRequests,
    newBrowser: () => new TestBrowser({ ca: certificate?.cert }),
    restartApp: () => {
      main.restartApp();
    },
    async startInstance() {
      const instance = await startInstance({ config, ...(await replaceableServer()) });
      others.push(instance);
      return instance;
    },
    async close() {
      await Promise.all([main, ...others].map((instance) => instance.close()));
      await provider.close();
    },
  };
}
