import { afterEach, describe, expect, it } from 'vitest';
import { startDevProvider, type DevProvider } from '../../src/dev-provider/dev-provider.js';
import { FAILURE_MEMORY_MS } from '../../src/sign-in/provider-metadata.js';
import { captureLogs } from '../support/logs.js';
import {
  freePort,
  logLinesOf,
  startServerProcess,
  waitForOutput,
  type ServerProcess,
} from '../support/server-process.js';
import { eventually } from '../support/wait.js';

const TIMEOUT_MS = 1000;

describe('starting the real server while its provider is down (connection refused)', () => {
  let server: ServerProcess | undefined;
  let provider: DevProvider | undefined;
  afterEach(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    await provider?.close();
  });

  it('starts, serves anonymous pages, answers /login with 503 quickly, and recovers within FAILURE_MEMORY_MS of the provider coming up', async () => {
    const [appPort, providerPort] = [await freePort(), await freePort()];
    const appOrigin = `http://localhost:${appPort}`;
    server = startServerProcess({
      NODE_ENV: 'test',
      PORT: String(appPort),
      BASE_URL: appOrigin,
      ISSUER_BASE_URL: `http://127.0.0.1:${providerPort}/`,
      CLIENT_ID: 'dev-client',
      CLIENT_SECRET: 'not-needed-until-the-callback-0123456789',
      SECRET: 'provider-down-test-secret-0123456789abc',
      PROVIDER_TIMEOUT_MS: String(TIMEOUT_MS),
    });
    await waitForOutput(server, (output) => output.includes('"event":"provider.unreachable"'));
    expect(logLinesOf(server.output()).find((line) => line.event === 'provider.unreachable')).toMatchObject({
      level: 40,
    });

    expect((await fetch(`${appOrigin}/`)).status).toBe(200);
    expect((await fetch(`${appOrigin}/healthz`)).status).toBe(200);
    const notReady = await fetch(`${appOrigin}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ checks: { provider: 'failing' } });

    const startedAt = performance.now();
    const login = await fetch(`${appOrigin}/login`, { redirect: 'manual' });
    const loginMs = performance.now() - startedAt;
    expect(login.status).toBe(503);
    expect(await login.text()).toContain('The sign-in service is unreachable right now. Please try again in a moment.');
    expect(loginMs).toBeLessThan(TIMEOUT_MS);

    provider = await startDevProvider({
      appBaseURL: appOrigin,
      nodeEnv: 'test',
      port: providerPort,
      logger: captureLogs().logger,
    });
    // A failure is remembered for FAILURE_MEMORY_MS (probes are not rate-limited: poll those).
    await eventually(
      async () => (await fetch(`${appOrigin}/readyz`)).status === 200,
      FAILURE_MEMORY_MS + 3000,
      'readiness',
    );
    const recovered = await fetch(`${appOrigin}/login`, { redirect: 'manual' });
    expect(recovered.status).toBe(302);
    expect(recovered.headers.get('location')).toMatch(
      new RegExp(`^http://127\\.0\\.0\\.1:${providerPort}/authorize\\?`),
    );
    expect((await fetch(`${appOrigin}/readyz`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
  });
});
