import { describe, expect, it } from 'vitest';
import { startDevProvider } from '../../src/auth/dev-provider.js';
import { captureLogs } from '../support/logs.js';
import { logLinesOf, startServerOnFreePort, startServerProcess, waitForOutput } from '../support/server-process.js';
import { withinTime } from '../support/wait.js';

describe('starting the server (npm start)', () => {
  it('runs with no configuration at all, on the embedded provider, and stops cleanly on SIGTERM', async () => {
    const { server, port } = await startServerOnFreePort({}, { ready: (output) => output.includes('Demo users:') });
    try {
      expect(server.output()).toContain(`App listening on http://localhost:${port}`);
      expect(server.output()).toMatch(/Mode: DEVELOPMENT, signing in with the embedded OpenID Provider at http:\/\/127\.0\.0\.1:\d+/);
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
    const { server, port } = await startServerOnFreePort({ NODE_ENV: 'test', LOG_LEVEL: 'warn' }, { ready: (output) => output.includes('Demo users:') });
    try {
      expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
      await waitForOutput(server, (output) => output.includes('"msg":"GET /nope 404"'));
      const lines = logLinesOf(server.output());
      expect(lines.find((line) => line.msg === 'GET /nope 404')).toMatchObject({ level: 40, req: { method: 'GET', path: '/nope' } });
      // warn and above only: no "listening" (info) line.
      expect(lines.filter((line) => typeof line.level === 'number' && line.level < 40)).toEqual([]);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await withinTime(server.exited, 5000, 'the process to exit')).toBe(0);
  });

  it('exits 1 with every configuration problem named, and no stack trace', async () => {
    const server = startServerProcess({ SECRET: 'short', BASE_URL: 'not-a-url', ISSUER_BASE_URL: 'https://tenant.auth0.com/' });
    expect(await server.exited).toBe(1);
    const output = server.output();
    expect(output).toContain('Configuration is invalid:');
    expect(output).toContain('SECRET must be at least 32 characters long');
    expect(output).toContain('BASE_URL must be an absolute http(s) URL');
    expect(output).toContain('CLIENT_ID is required when ISSUER_BASE_URL is set');
    expect(output).not.toMatch(/\n\s+at /);
  });
});

describe('the embedded development provider', () => {
  const logger = captureLogs().logger;

  it('refuses to start with NODE_ENV=production', async () => {
    await expect(startDevProvider({ appBaseURL: 'http://localhost:3000', nodeEnv: 'production', logger })).rejects.toThrow(/NODE_ENV=production/);
  });

  it('refuses to start when ISSUER_BASE_URL is set', async () => {
    await expect(
      startDevProvider({ appBaseURL: 'http://localhost:3000', nodeEnv: 'development', externalIssuer: 'https://tenant.auth0.com/', logger }),
    ).rejects.toThrow(/ISSUER_BASE_URL is set/);
  });
});
