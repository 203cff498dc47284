import { describe, expect, it } from 'vitest';
import { createSessionStore, storeAnswers } from '../../src/sessions/create-session-store.js';
import { loadConfig } from '../../src/config.js';
import { captureLogs } from '../support/logs.js';

const auth0 = {
  ISSUER_BASE_URL: 'https://tenant.eu.auth0.com/',
  CLIENT_ID: 'client-id',
  CLIENT_SECRET: 'client-secret',
  BASE_URL: 'https://app.example.com',
  SECRET: 'a'.repeat(32),
};

describe('createSessionStore without REDIS_URL', () => {
  it('warns in production that sessions stay in this process, and says how to fix it', async () => {
    const logs = captureLogs();
    const store = await createSessionStore(loadConfig({ ...auth0, NODE_ENV: 'production' }), logs.logger);
    await store.close();
    const warning = logs.lines().find((line) => line.event === 'sessions.in_memory');
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toMatch(/Set REDIS_URL \(and REQUIRE_REDIS=true to make this an error\)/);
  });

  it('stays quiet in development', async () => {
    const logs = captureLogs();
    const store = await createSessionStore(loadConfig({}), logs.logger);
    await store.close();
    expect(logs.lines()).toEqual([]);
  });
});

describe('storeAnswers', () => {
  it('gives up after the time allowed when the store never answers', async () => {
    const started = Date.now();
    expect(await storeAnswers({ ping: () => Promise.reject(new Error('down')) }, 200)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('waits for a store that answers after a while', async () => {
    let calls = 0;
    const ping = () => (++calls < 3 ? Promise.reject(new Error('not yet')) : Promise.resolve());
    expect(await storeAnswers({ ping }, 2000)).toBe(true);
    expect(calls).toBe(3);
  });
});
