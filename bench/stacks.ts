import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IssuerSettings } from '../src/config.js';
import { managementAudienceOf } from '../src/dev-provider/access-tokens.js';
import { benchUser } from './baseline/bench-user.js';
import { trustCertificate } from './browser.js';
import { freePort } from './free-port.js';
import { childBuildDir, resultsDir, root, startChild, type Child } from './children.js';
import { benchCertificate, type BenchCertificate } from './tls-certificate.js';

const providerEntry = fileURLToPath(new URL('./provider-child.ts', import.meta.url));
const PROVIDER_START_TIMEOUT_MS = 30_000;

/**
 * The provider's certificate, made once per run, trusted by the driver's own browser and (through
 * NODE_EXTRA_CA_CERTS) by every app. Call `remove()` at the end of the run.
 */
export async function benchTls(): Promise<BenchCertificate> {
  const certificate = await benchCertificate();
  trustCertificate(certificate.cert);
  return certificate;
}

export interface ProviderProcess {
  /** https://127.0.0.1:<port> */
  origin: string;
  issuer: IssuerSettings;
  stop(): Promise<void>;
}

/** The benchmark's OpenID Provider (bench/provider-child.ts, on https) in its own process, for one app origin. */
export async function startProvider(
  name: string,
  appBaseURL: string,
  tls: BenchCertificate,
  env: Record<string, string> = {},
): Promise<ProviderProcess> {
  mkdirSync(`${resultsDir}/logs`, { recursive: true });
  const log = openSync(`${resultsDir}/logs/${name}.log`, 'a');
  const child = fork(providerEntry, [], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      APP_BASE_URL: appBaseURL,
      BENCH_TLS_KEY: tls.key,
      BENCH_TLS_CERT: tls.cert,
      ...env,
    },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', log, log, 'ipc'],
  });
  closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = await new Promise<{ origin: string; issuer: IssuerSettings }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start`)), PROVIDER_START_TIMEOUT_MS);
    child.once('message', (message: { origin: string; issuer: IssuerSettings }) => {
      clearTimeout(timer);
      resolve(message);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code ?? 'signal'}) before starting`)));
  });
  return {
    ...started,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface AppStack {
  app: Child;
  provider: ProviderProcess;
  /** The app's whole environment: the same SECRET and REDIS_URL let the driver build the app's own session store. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

interface StackOptions {
  /** The provider's certificate (benchTls). */
  tls: BenchCertificate;
  /** Extra environment for the app, e.g. short session timeouts or REDIS_URL. */
  env?: Record<string, string>;
  nodeFlags?: string[];
  /**
   * Sign in with an access token for an API, as the app does with AUDIENCE set: the provider's
   * Management API (any API would do; no page of the benchmark calls it).
   */
  withApi?: boolean;
  /** Extra environment for the provider (provider-child.ts). */
  providerEnv?: Record<string, string>;
  /** The folder (from the project root) of the build to run: `dist` (the production build) by default, another to compare two builds. */
  build?: string;
}

/**
 * The app as production runs it (`node dist/server.js`, NODE_ENV=production, loopback only),
 * signing in with its own provider process as an external issuer on https.
 */
export async function startAppStack(name: string, options: StackOptions): Promise<AppStack> {
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const provider = await startProvider(`${name}-provider`, baseURL, options.tls, options.providerEnv);
  const env = {
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    BASE_URL: baseURL,
    ISSUER_BASE_URL: provider.issuer.issuerBaseURL,
    CLIENT_ID: provider.issuer.clientID,
    CLIENT_SECRET: provider.issuer.clientSecret,
    // The provider's self-signed certificate, trusted as a private CA would be in production.
    NODE_EXTRA_CA_CERTS: options.tls.certFile,
    SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'info',
    // Every benchmark login comes from 127.0.0.1; real users come from many addresses.
    SIGN_IN_RATE_LIMIT: '1000000',
    // Every benchmark session is the same demo user's; real sessions belong to many users.
    MAX_SESSIONS_PER_USER: '1000000',
    ...(options.withApi ? { AUDIENCE: managementAudienceOf(provider.issuer.issuerBaseURL) } : {}),
    ...options.env,
  };
  try {
    const app = await startChild({
      name,
      entry: resolve(root, options.build ?? 'dist', 'server.js'),
      port,
      nodeFlags: options.nodeFlags,
      env,
    });
    return {
      app,
      provider,
      env,
      async stop() {
        await app.stop();
        await provider.stop();
      },
    };
  } catch (error) {
    await provider.stop();
    throw error;
  }
}

/** The bare Express baseline (bench/baseline/server.ts, compiled), rendering the same pages for the same user. */
export async function startBaseline(providerOrigin: string, nodeFlags: string[] = []): Promise<Child> {
  const port = await freePort();
  return startChild({
    name: 'baseline',
    entry: `${childBuildDir}/bench/baseline/server.js`,
    port,
    nodeFlags,
    env: {
      NODE_ENV: 'production',
      PORT: String(port),
      BENCH_USER: JSON.stringify(benchUser(providerOrigin)),
      VIEWS_DIR: `${root}views`,
      PUBLIC_DIR: `${root}public`,
    },
  });
}
