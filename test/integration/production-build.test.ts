import { rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../scripts/build.js';
import { startDevProvider, type DevProvider } from '../../src/dev-provider/dev-provider.js';
import { TestBrowser } from '../support/browser.js';
import { captureLogs } from '../support/logs.js';
import { skipRedisTests, startRedisServer } from '../support/redis-server.js';
import { compiledRefusal } from '../support/preload/compiled-refusal.js';
import { REFUSED_MODULE } from '../support/preload/refuse-dev-provider-hooks.js';
import {
  freePort,
  startServerOnFreePort,
  startServerProcess,
  waitForOutput,
  type ServerProcess,
} from '../support/server-process.js';
import { alice, openLoginPage, signIn } from '../support/sign-in.js';
import { withinTime } from '../support/wait.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The build (scripts/build.ts: one bundle per program, libraries included) run as production runs
 * it, on plain node: what the bundler moved (the views and assets found from dist/, libraries that
 * call require(), the development provider's chunk) must still work end to end.
 */
describe('the production build (npm run build, then node dist/server.js)', () => {
  const outdir = join(root, 'test-output', `build-${process.pid}`);
  let provider: DevProvider | undefined;
  let server: ServerProcess | undefined;
  let metafile: Metafile = { inputs: {}, outputs: {} };
  let refuseDevProvider = '';
  beforeAll(async () => {
    metafile = await buildApp(outdir);
    refuseDevProvider = await compiledRefusal(join(outdir, 'preload'));
  }, 60_000);
  afterEach(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    await provider?.close();
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const stop = async (running: ServerProcess) => {
    running.child.kill('SIGTERM');
    expect(await withinTime(running.exited, 5000, 'the process to exit')).toBe(0);
  };

  it('loads no module of the development provider until it asks for one: it sits behind dynamic imports only', () => {
    // What node loads with server.js before any dynamic import: the output files its static imports reach.
    const loaded = new Set<string>();
    const pending = [relative(root, join(outdir, 'server.js'))];
    const externals = new Set<string>();
    for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
      if (loaded.has(file)) continue;
      loaded.add(file);
      for (const imported of metafile.outputs[file]?.imports ?? []) {
        if (imported.kind !== 'import-statement') continue;
        if (imported.external) externals.add(imported.path);
        else pending.push(imported.path);
      }
    }
    const sources = [...loaded].flatMap((file) => Object.keys(metafile.outputs[file]?.inputs ?? {}));
    expect(sources).toContain('src/app.ts');
    expect(sources.filter((source) => source.startsWith('src/dev-provider/'))).toEqual([]);
    expect([...externals].filter((name) => name.startsWith('oidc-provider'))).toEqual([]);
    // node-redis too: a chunk of its own, imported only when a Redis store is made.
    expect(sources.filter((source) => source.includes('node_modules/@redis/'))).toEqual([]);
    // The provider is in the build all the same, for development: reached through import().
    const everything = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
    expect(everything).toContain('src/dev-provider/dev-provider.ts');
  });

  it('runs with no configuration and signs a demo user in with the embedded provider, from its own chunk', async () => {
    const started = await startServerOnFreePort(
      {},
      { entry: join(outdir, 'server.js'), built: true, ready: (output) => output.includes('Demo users:') },
    );
    server = started.server;
    const origin = `http://localhost:${started.port}`;
    const browser = new TestBrowser();
    // The provider's own pages and assets, read from src/dev-provider/ by the bundled chunk.
    const { loginPage } = await openLoginPage(browser, `${origin}/login`);
    expect(loginPage.status).toBe(200);
    expect(loginPage.text).toContain('name="password"');
    const providerStylesheet = /<link rel="stylesheet" href="([^"]+)"/.exec(loginPage.text)?.[1] ?? '';
    expect((await browser.get(new URL(providerStylesheet, loginPage.url).href)).status).toBe(200);
    const { landing } = await signIn(browser, origin, alice, '/profile');
    expect(landing.url).toBe(`${origin}/profile`);
    expect(landing.status).toBe(200);
    expect(landing.text).toContain('<h1>Alice Liddell</h1>');
    const stylesheet = /<link rel="stylesheet" href="([^"]+)"/.exec(landing.text)?.[1];
    expect(stylesheet).toBeDefined();
    expect((await fetch(`${origin}${stylesheet ?? ''}`)).status).toBe(200);
    await stop(server);
  });

  /** The build in production with the embedded provider as a real issuer, started and refusing its chunks. */
  const startWithRealIssuer = async (
    env: Record<string, string> = {},
  ): Promise<{ origin: string; running: ServerProcess }> => {
    const port = await freePort();
    const origin = `http://localhost:${port}`;
    provider = await startDevProvider({ appBaseURL: origin, nodeEnv: 'test', logger: captureLogs().logger });
    const running = startServerProcess(
      {
        NODE_ENV: 'production',
        PORT: String(port),
        BASE_URL: origin,
        ISSUER_BASE_URL: provider.issuer.issuerBaseURL,
        CLIENT_ID: provider.issuer.clientID,
        CLIENT_SECRET: provider.issuer.clientSecret,
        SECRET: 'production-build-test-secret-0123456789',
        ...env,
      },
      { entry: join(outdir, 'server.js'), built: true, preload: [refuseDevProvider] },
    );
    server = running;
    await waitForOutput(running, (output) => output.includes('"event":"server.started"'));
    return { origin, running };
  };

  it('signs in with a real issuer in production without loading the embedded provider or its chunks', async () => {
    const { origin, running } = await startWithRealIssuer();
    const { landing } = await signIn(new TestBrowser(), origin, alice, '/profile');
    expect(landing.url).toBe(`${origin}/profile`);
    expect(landing.text).toContain('<h1>Alice Liddell</h1>');
    await stop(running);
    expect(running.output()).not.toContain(REFUSED_MODULE);
  });

  it.skipIf(skipRedisTests)('keeps its sessions in Redis, with node-redis imported from its own chunk', async () => {
    const redis = await startRedisServer();
    try {
      const { origin, running } = await startWithRealIssuer({ REDIS_URL: redis.url });
      const { landing } = await signIn(new TestBrowser(), origin, alice, '/profile');
      expect(landing.text).toContain('<h1>Alice Liddell</h1>');
      expect(await redis.command(['KEYS', 'session:*'])).toHaveLength(1);
      await stop(running);
    } finally {
      await redis.close();
    }
  });

  it('would refuse the embedded provider chunk under the same guard', async () => {
    server = startServerProcess(
      { PORT: '0' },
      { entry: join(outdir, 'server.js'), built: true, preload: [refuseDevProvider] },
    );
    expect(await withinTime(server.exited, 15_000, 'the process to exit')).not.toBe(0);
    expect(server.output()).toContain(REFUSED_MODULE);
  });

  it('builds the configuration doctor, which passes every check on plain node (with the embedded provider)', async () => {
    server = startServerProcess(
      { NODE_ENV: 'test', PORT: '4302' },
      { entry: join(outdir, 'doctor', 'cli.js'), built: true },
    );
    expect(await withinTime(server.exited, 30_000, 'the doctor')).toBe(0);
    expect(server.output()).toContain('All 10 checks passed.');
  });
});
