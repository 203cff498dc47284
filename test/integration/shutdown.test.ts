import { afterEach, describe, expect, it } from 'vitest';
import { startDevProvider, type DevProvider } from '../../src/dev-provider/dev-provider.js';
import { TestBrowser } from '../support/browser.js';
import { captureLogs } from '../support/logs.js';
import { setCookies } from '../support/page-checks.js';
import { providerFaults } from '../support/provider-faults.js';
import {
  freePort,
  logLinesOf,
  startServerOnFreePort,
  startServerProcess,
  waitForOutput,
  type ServerProcess,
} from '../support/server-process.js';
import { reachCallback } from '../support/sign-in.js';
import { eventually, withinTime } from '../support/wait.js';

/**
 * The real server process (as `npm start` runs it) against a provider this test controls: the
 * token endpoint answers slowly, so a sign-in is in flight when SIGTERM arrives.
 */
async function startSlowSignIn(tokenDelayMs: number, env: Record<string, string>) {
  const port = await freePort();
  const appOrigin = `http://localhost:${port}`;
  let tokenArrived: () => void = () => undefined;
  const tokenRequested = new Promise<void>((resolve) => (tokenArrived = resolve));
  const faults = providerFaults();
  faults.set('/oauth/token', { kind: 'delay', ms: tokenDelayMs });
  const provider = await startDevProvider({
    appBaseURL: appOrigin,
    nodeEnv: 'test',
    logger: captureLogs().logger,
    middleware: [
      async (ctx, next) => {
        if (ctx.path === '/oauth/token') tokenArrived();
        await next();
      },
      faults.middleware,
    ],
  });
  const server = startServerProcess({
    NODE_ENV: 'test',
    PORT: String(port),
    BASE_URL: appOrigin,
    ISSUER_BASE_URL: provider.issuer.issuerBaseURL,
    CLIENT_ID: provider.issuer.clientID,
    CLIENT_SECRET: provider.issuer.clientSecret,
    SECRET: 'shutdown-test-secret-0123456789abcdef',
    ...env,
  });
  await waitForOutput(server, (output) => output.includes('"event":"server.started"'));
  const browser = new TestBrowser();
  const { callbackUrl } = await reachCallback(browser, appOrigin);
  const cookie = Object.entries(browser.cookies(appOrigin))
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
  // fetch keeps its connection alive (unlike supertest), as browsers do: draining must close it.
  // Settled into a value at once: the request may legitimately fail, and must not be an unhandled rejection.
  const callback = fetch(callbackUrl, { headers: { cookie }, redirect: 'manual' }).then(
    (page) => ({ page, error: undefined }),
    (error: unknown) => ({ page: undefined, error }),
  );
  await withinTime(tokenRequested, 5000, 'the token request');
  return { provider, server, port, appOrigin, callback };
}

const refusesConnections = (port: number) => () =>
  fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
    () => false,
    () => true,
  );

describe('SIGTERM while a request is in flight (the real server process)', () => {
  let provider: DevProvider | undefined;
  let server: ServerProcess | undefined;
  afterEach(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    await provider?.close();
  });

  it('reports "stopping", lets the request finish, refuses new connections and exits 0', async () => {
    const started = await startSlowSignIn(2000, { SHUTDOWN_DELAY_MS: '500' });
    ({ provider, server } = started);
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    await waitForOutput(server, (output) => output.includes('"event":"shutdown.begin"'), 2000);

    // During SHUTDOWN_DELAY_MS the app still serves, but tells load balancers to go elsewhere.
    const readyz = await fetch(`${started.appOrigin}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.json()).toEqual({ status: 'stopping' });
    expect((await fetch(`${started.appOrigin}/`)).status).toBe(200);

    await eventually(refusesConnections(started.port), 3000, 'the listener to close');
    const { page } = await withinTime(started.callback, 5000, 'the in-flight callback');
    if (!page) throw new Error('the in-flight callback failed');
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/');
    expect(page.headers.get('connection')).toBe('close');
    expect(
      setCookies({ 'set-cookie': page.headers.getSetCookie() }).find((cookie) => cookie.name === 'session')?.value,
    ).toBeTruthy();

    expect(await withinTime(server.exited, 5000, 'the process to exit')).toBe(0);
    const drainMs = Date.now() - signalledAt;
    expect(drainMs).toBeLessThan(4000);
    const events = logLinesOf(server.output()).map((line) => line.event);
    expect(events).toEqual(expect.arrayContaining(['shutdown.begin', 'shutdown.drained', 'shutdown.done']));
    expect(server.output()).not.toContain('shutdown.cut');
  });

  it('cuts a request that outlives SHUTDOWN_TIMEOUT_MS and exits 1', async () => {
    const started = await startSlowSignIn(10_000, { SHUTDOWN_TIMEOUT_MS: '500' });
    ({ provider, server } = started);
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    expect(await withinTime(server.exited, 5000, 'the process to exit')).toBe(1);
    expect(Date.now() - signalledAt).toBeLessThan(3000);
    expect((await started.callback).error).toBeInstanceOf(TypeError);
    expect(logLinesOf(server.output()).find((line) => line.event === 'shutdown.cut')).toMatchObject({
      level: 40,
      timeoutMs: 500,
    });
  });

  it('stops on SIGINT too (Ctrl-C), exiting 0 when nothing is in flight', async () => {
    const started = await startServerOnFreePort({ NODE_ENV: 'test' });
    server = started.server;
    started.server.child.kill('SIGINT');
    expect(await withinTime(started.server.exited, 5000, 'the process to exit')).toBe(0);
    expect(logLinesOf(server.output()).find((line) => line.event === 'shutdown.begin')).toMatchObject({
      reason: 'SIGINT',
    });
    expect(logLinesOf(server.output()).at(-1)).toMatchObject({ event: 'shutdown.done', exitCode: 0 });
  });
});
