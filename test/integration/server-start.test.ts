import { afterEach, describe, expect, it } from 'vitest';
import { startDevProvider, type DevProvider } from '../../src/dev-provider/dev-provider.js';
import { captureLogs } from '../support/logs.js';
import { REFUSED_MODULE } from '../support/preload/refuse-dev-provider-hooks.js';
import { logLinesOf, startServerOnFreePort, startServerProcess, waitForOutput } from '../support/server-process.js';
import { withinTime } from '../support/wait.js';

describe('starting the server (npm start)', () => {
  it('runs with no configuration at all, on the embedded provider, and stops cleanly on SIGTERM', async () => {
    const { server, port } = await startServerOnFreePort({}, { ready: (output) => output.includes('Demo users:') });
    try {
      expect(server.output()).toContain(`App listening on http://localhost:${port}`);
      expect(server.output()).toMatch(
        /Mode: DEVELOPMENT, signing in with the embedded OpenID Provider at http:\/\/127\.0\.0\.1:\d+/,
      );
      const home = await fetch(`http://127.0.0.1:${port}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('Log in');
      const login = await fetch(`http://127.0.0.1:${port}/login`, { redirect: 'manual' });
      expect(login.status).toBe(302);
      expect(login.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/authorize\?/);
      // Development logs are for a person: pino-pretty lines, not JSON.
      await waitForOutput(server, (output) => / INFO.*: GET \/login 302/.test(output));
      expect(logLinesOf(server.output())).toEqual([]);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  });

  it('writes JSON log lines outside development, at LOG_LEVEL', async () => {
    const { server, port } = await startServerOnFreePort(
      { NODE_ENV: 'test', LOG_LEVEL: 'warn' },
      { ready: (output) => output.includes('Demo users:') },
    );
    try {
      expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
      await waitForOutput(server, (output) => output.includes('"msg":"GET /nope 404"'));
      const lines = logLinesOf(server.output());
      expect(lines.find((line) => line.msg === 'GET /nope 404')).toMatchObject({
        level: 40,
        req: { method: 'GET', path: '/nope' },
      });
      // warn and above only: no "listening" (info) line.
      expect(lines.filter((line) => typeof line.level === 'number' && line.level < 40)).toEqual([]);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await withinTime(server.exited, 5000, 'the process to exit')).toBe(0);
  });

  it('exits 1 with every configuration problem named, and no stack trace', async () => {
    const server = startServerProcess({
      SECRET: 'short',
      BASE_URL: 'not-a-url',
      ISSUER_BASE_URL: 'https://tenant.auth0.com/',
    });
    expect(await server.exited).toBe(1);
    const output = server.output();
    expect(output).toContain('Configuration is invalid:');
    expect(output).toContain('SECRET must be at least 32 characters long');
    expect(output).toContain('BASE_URL must be an absolute http(s) URL');
    expect(output).toContain('CLIENT_ID is required when ISSUER_BASE_URL is set');
    expect(output).not.toMatch(/\n\s+at /);
  });
});

const refuseDevProvider = new URL('../support/preload/refuse-dev-provider.ts', import.meta.url).href;

describe('starting the server with a real issuer configured', () => {
  let provider: DevProvider | undefined;
  afterEach(async () => {
    await provider?.close();
  });

  it('never loads oidc-provider nor the embedded provider, and signs in with the issuer (NODE_ENV=production on http://localhost)', async () => {
    provider = await startDevProvider({
      appBaseURL: 'http://localhost:3000',
      nodeEnv: 'test',
      logger: captureLogs().logger,
    });
    const { issuer, origin } = provider;
    const { server, port } = await startServerOnFreePort(
      (port) => ({
        NODE_ENV: 'production',
        BASE_URL: `http://localhost:${port}`,
        ISSUER_BASE_URL: issuer.issuerBaseURL,
        CLIENT_ID: issuer.clientID,
        CLIENT_SECRET: issuer.clientSecret,
        SECRET: 'real-issuer-test-secret-0123456789abcdef',
      }),
      { preload: [refuseDevProvider], ready: (output) => output.includes('"event":"provider.reachable"') },
    );
    try {
      expect(server.output()).toContain(`Mode: production, signing in with ${issuer.issuerBaseURL}`);
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
      const login = await fetch(`http://127.0.0.1:${port}/login`, { redirect: 'manual' });
      expect(login.status).toBe(302);
      expect(login.headers.get('location')).toMatch(new RegExp(`^${origin}/authorize\\?`));
      expect(server.output()).not.toContain('Unsupported runtime');
      expect(server.output()).not.toContain(REFUSED_MODULE);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await withinTime(server.exited, 5000, 'the process to exit')).toBe(0);
  });

  it('would crash if it loaded them: a zero-configuration start under the same guard does', async () => {
    const server = startServerProcess({ PORT: '0' }, { preload: [refuseDevProvider] });
    expect(await withinTime(server.exited, 15_000, 'the process to exit')).not.toBe(0);
    expect(server.output()).toContain(REFUSED_MODULE);
  });

  it('exits 1 for a BASE_URL that is not loopback without an issuer, naming what to set, before loading the embedded provider', async () => {
    const server = startServerProcess({ BASE_URL: 'https://app.example.com' }, { preload: [refuseDevProvider] });
    expect(await withinTime(server.exited, 15_000, 'the process to exit')).toBe(1);
    expect(server.output()).toContain(
      'ISSUER_BASE_URL, CLIENT_ID, CLIENT_SECRET and SECRET are required when BASE_URL is not loopback',
    );
    expect(server.output()).not.toContain(REFUSED_MODULE);
    expect(server.output()).not.toMatch(/\n\s+at /);
  });
});

describe('the embedded development provider', () => {
  const logger = captureLogs().logger;

  it('refuses to start for an app that is not on loopback (its demo passwords are public)', async () => {
    await expect(
      startDevProvider({ appBaseURL: 'https://app.example.com', nodeEnv: 'development', logger }),
    ).rejects.toThrow(/loopback/);
  });

  it('refuses to start with NODE_ENV=production', async () => {
    await expect(
      startDevProvider({ appBaseURL: 'http://localhost:3000', nodeEnv: 'production', logger }),
    ).rejects.toThrow(/NODE_ENV=production/);
  });
});
