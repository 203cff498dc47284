import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import { createApp } from '../../src/app.js';
import { generateSigningKey, startDevProvider, type DevProvider, type DevProviderOptions } from '../../src/auth/dev-provider.js';
import { MemorySessionStore } from '../../src/auth/memory-session-store.js';
import type { SessionStoreBackend } from '../../src/auth/session-data.js';
import { loadConfig, type AppConfig, type IssuerSettings } from '../../src/config.js';
import { createLifecycle, type Lifecycle } from '../../src/lifecycle.js';
import { TestBrowser } from './browser.js';
import { captureLogs } from './logs.js';
import { localhostCertificate } from './tls-certificate.js';

export interface TestStack {
  appOrigin: string;
  config: AppConfig;
  provider: DevProvider;
  /** The provider's private signing key, so tests can forge tokens exactly as it signs them. */
  signingKey: JWK;
  store: SessionStoreBackend;
  logs: ReturnType<typeof captureLogs>;
  /** What server.ts flips when shutdown begins. */
  lifecycle: Lifecycle;
  /** Every request path the provider received, in order (for "no /userinfo call" assertions). */
  providerRequests: string[];
  /** A browser that trusts this stack's certificate in HTTPS mode. */
  newBrowser(): TestBrowser;
  /**
   * Replaces the app with a fresh createApp on the same address, config and store, as a restarted
   * process would be: every cache (discovery, keys) is cold again.
   */
  restartApp(): void;
  close(): Promise<void>;
}

interface Options {
  env?: Record<string, string>;
  providerMiddleware?: DevProviderOptions['middleware'];
  store?: SessionStoreBackend;
  /** Changes what the app believes about its registration (e.g. a wrong client secret). */
  issuer?: Partial<IssuerSettings>;
  /** Serve the app over TLS (a self-signed certificate for localhost); the provider stays on http. */
  https?: boolean;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * The production app (createApp) and the embedded provider, both on loopback, wired exactly as
 * server.ts wires them. The app is reached as localhost and the provider as 127.0.0.1, so their
 * cookies never mix (cookies ignore ports).
 */
export async function startTestStack(options: Options = {}): Promise<TestStack> {
  const logs = captureLogs();
  const certificate = options.https ? await localhostCertificate() : undefined;
  let app: RequestListener | undefined;
  const handle: RequestListener = (req, res) => app?.(req, res);
  const server = certificate ? createHttpsServer(certificate, handle) : createHttpServer(handle);
  const port = await listen(server);
  const appOrigin = `${certificate ? 'https' : 'http'}://localhost:${port}`;
  const base = loadConfig({ NODE_ENV: 'test', PORT: String(port), BASE_URL: appOrigin, LOG_LEVEL: 'debug', ...options.env });

  const providerRequests: string[] = [];
  const signingKey = await generateSigningKey();
  const provider = await startDevProvider({
    appBaseURL: base.baseURL,
    nodeEnv: 'test',
    logger: logs.logger,
    signingKey,
    middleware: [
      async (ctx, next) => {
        providerRequests.push(ctx.path);
        await next();
      },
      ...(options.providerMiddleware ?? []),
    ],
  });
  const config: AppConfig = { ...base, issuer: { ...provider.issuer, ...options.issuer } };
  const store = options.store ?? new MemorySessionStore();
  const lifecycle = createLifecycle();
  const restartApp = () => {
    app = createApp(config, { logger: logs.logger, sessionStore: store, lifecycle });
  };
  restartApp();

  return {
    appOrigin,
    config,
    provider,
    signingKey,
    store,
    logs,
    lifecycle,
    providerRequests,
    newBrowser: () => new TestBrowser({ ca: certificate?.cert }),
    restartApp,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await provider.close();
      await store.close();
    },
  };
}
