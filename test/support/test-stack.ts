import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.js';
import { startDevProvider, type DevProvider, type DevProviderOptions } from '../../src/auth/dev-provider.js';
import { MemorySessionStore } from '../../src/auth/memory-session-store.js';
import type { SessionStoreBackend } from '../../src/auth/session-data.js';
import { loadConfig, type AppConfig, type IssuerSettings } from '../../src/config.js';
import { createLifecycle, type Lifecycle } from '../../src/lifecycle.js';
import { captureLogs } from './logs.js';

export interface TestStack {
  appOrigin: string;
  config: AppConfig;
  provider: DevProvider;
  store: SessionStoreBackend;
  logs: ReturnType<typeof captureLogs>;
  /** What server.ts flips when shutdown begins. */
  lifecycle: Lifecycle;
  /** Every request path the provider received, in order (for "no /userinfo call" assertions). */
  providerRequests: string[];
  close(): Promise<void>;
}

interface Options {
  env?: Record<string, string>;
  providerMiddleware?: DevProviderOptions['middleware'];
  store?: SessionStoreBackend;
  /** Changes what the app believes about its registration (e.g. a wrong client secret). */
  issuer?: Partial<IssuerSettings>;
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
  const server = createServer();
  const port = await listen(server);
  const appOrigin = `http://localhost:${port}`;
  const base = loadConfig({ NODE_ENV: 'test', PORT: String(port), BASE_URL: appOrigin, LOG_LEVEL: 'debug', ...options.env });

  const providerRequests: string[] = [];
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
  const store = options.store ?? new MemorySessionStore();
  const lifecycle = createLifecycle();
  server.on('request', createApp(config, { logger: logs.logger, sessionStore: store, lifecycle }));

  return {
    appOrigin,
    config,
    provider,
    store,
    logs,
    lifecycle,
    providerRequests,
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
