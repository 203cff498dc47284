import { describe, expect, it } from 'vitest';
import { startDevProvider } from '../../src/auth/dev-provider.js';
import { captureLogs } from '../support/logs.js';
import { freePort, startServerProcess, waitForOutput } from '../support/server-process.js';

describe('starting the server (npm start)', () => {
  it('runs with no configuration at all, on the embedded provider, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const server = startServerProcess({ PORT: String(port) });
    try {
      await waitForOutput(server, (output) => output.includes('Demo users:'));
      expect(server.output()).toContain(`App listening on http://localhost:${port}`);
      expect(server.output()).toMatch(/Mode: DEVELOPMENT, signing in with the embedded OpenID Provider at http:\/\/127\.0\.0\.1:\d+/);
      const home = await fetch(`http://127.0.0.1:${port}/`);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('Log in');
      const login = await fetch(`http://127.0.0.1:${port}/login`, { redirect: 'manual' });
      expect(login.status).toBe(302);
      expect(login.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/authorize\?/);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
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
