import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/doctor/run-doctor.js';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { withinTime } from '../support/wait.js';

const STARTED = '"event":"server.started"';

/** Waits until the process has started (listening) or exited, whichever comes first. */
async function startedOrExited(server: ServerProcess, timeoutMs: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const started = new Promise<'started'>((resolve) => {
    timer = setInterval(() => {
      if (server.output().includes(STARTED) || server.output().includes('Demo users:')) resolve('started');
    }, 50);
  });
  try {
    return await withinTime(Promise.race([started, server.exited]), timeoutMs, 'the server to start or exit');
  } finally {
    clearInterval(timer);
    if (server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await withinTime(server.exited, 5000, 'the process to exit');
    }
  }
}

describe('the real process, fail-closed configuration', () => {
  it('refuses to start in production on BASE_URL=HTTP://app.example.com (an upper-case scheme is still plain http)', async () => {
    const server = startServerProcess({
      NODE_ENV: 'production',
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      BASE_URL: 'HTTP://app.example.com',
      // Never reached: the app starts without its provider.
      ISSUER_BASE_URL: 'https://127.0.0.1:9/',
      CLIENT_ID: 'client-id',
      CLIENT_SECRET: 'client-secret',
      SECRET: 'attack-fail-closed-secret-0123456789abcdef',
    });
    expect(await startedOrExited(server, 15_000)).toBe(1);
    expect(server.output()).toContain('BASE_URL must use https when NODE_ENV=production');
  });

  it('treats a blank ISSUER_BASE_URL as unset, as loadConfig does: starts on the embedded provider, no stack trace', async () => {
    const server = startServerProcess({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      ISSUER_BASE_URL: ' ',
    });
    const outcome = await startedOrExited(server, 15_000);
    expect(server.output()).not.toMatch(/\n\s+at /);
    expect(outcome).toBe('started');
  });

  it('lets npm run doctor report on a blank ISSUER_BASE_URL instead of crashing', async () => {
    const report = await runDoctor({ NODE_ENV: 'test', ISSUER_BASE_URL: ' ', PROVIDER_TIMEOUT_MS: '1000' });
    expect(report.results.length).toBeGreaterThan(0);
  });
});
