import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAccessTokens, REFRESH_MARGIN_SECONDS } from '../../src/sign-in/access-tokens.js';
import type { SessionTokens } from '../../src/sessions/index.js';

/** Any use of it fails the test: the code under test must not get this far. */
const untouchable = new Proxy(
  {},
  {
    get(_target, name) {
      throw new Error(`unexpected use of ${String(name)}`);
    },
  },
) as never;

describe('req.accessToken() without an API configured', () => {
  it('fails as the app configuration error it is, without touching the session or the provider', async () => {
    const tokens = createAccessTokens({
      enabled: false,
      store: untouchable,
      session: untouchable,
      client: untouchable,
      providerTimeoutMs: 1000,
      storeTimeoutMs: 500,
      logger: pino({ level: 'silent' }),
    });
    await expect(tokens.get(untouchable, untouchable)).rejects.toThrow(
      'req.accessToken() needs an API: set AUDIENCE (see docs/calling-apis.md)',
    );
  });
});

describe('req.accessToken() after a refresh', () => {
  const hour = 3600;
  const margin = REFRESH_MARGIN_SECONDS;

  /** The app's token store as far as req.accessToken() uses it, counting reads of the token record. */
  function countingStore() {
    const records = new Map<string, SessionTokens>();
    const locks = new Map<string, string>();
    const store = {
      reads: 0,
      readTokens(id: string) {
        store.reads += 1;
        return Promise.resolve(records.get(id));
      },
      writeTokens(id: string, tokens: SessionTokens) {
        records.set(id, tokens);
        return Promise.resolve();
      },
      lockTokens(id: string, owner: string) {
        if (locks.has(id)) return Promise.resolve(false);
        locks.set(id, owner);
        return Promise.resolve(true);
      },
      unlockTokens(id: string, owner: string) {
        if (locks.get(id) === owner) locks.delete(id);
        return Promise.resolve();
      },
      whenSessionsEnd() {},
    };
    return store;
  }

  function setup() {
    let clock = 1_800_000_000_000;
    const store = countingStore();
    let refreshes = 0;
    const tokens = createAccessTokens({
      enabled: true,
      store,
      session: untouchable,
      client: {
        refresh: (refreshToken: string) => {
          refreshes += 1;
          return Promise.resolve({
            accessToken: `access-${refreshes}`,
            expiresAt: clock / 1000 + hour,
            refreshToken: `${refreshToken}+`,
          });
        },
        revoke: () => Promise.resolve(),
      },
      providerTimeoutMs: 1000,
      storeTimeoutMs: 500,
      logger: pino({ level: 'silent' }),
      now: () => clock,
    });
    const requestOf = (id: string) =>
      ({
        id: 'request',
        appSession: { id, data: { access_token: 'from-sign-in', expires_at: clock / 1000 - 1, refresh_token: 'r' } },
      }) as never;
    return {
      store,
      get: (id: string) => tokens.get(requestOf(id), untouchable),
      refreshes: () => refreshes,
      advance: (seconds: number) => (clock += seconds * 1000),
    };
  }

  it('gives the refreshed token from this process while it is fresh, without reading the store again', async () => {
    const app = setup();
    await expect(app.get('session-a')).resolves.toBe('access-1');
    const readsAfterRefresh = app.store.reads;
    for (let i = 0; i < 5; i += 1) await expect(app.get('session-a')).resolves.toBe('access-1');
    expect(app.store.reads).toBe(readsAfterRefresh);
    expect(app.refreshes()).toBe(1);
  });

  it('reads the store again once that token is due for a refresh, and refreshes once', async () => {
    const app = setup();
    await app.get('session-a');
    app.advance(hour - margin + 1);
    const reads = app.store.reads;
    await expect(app.get('session-a')).resolves.toBe('access-2');
    expect(app.store.reads).toBeGreaterThan(reads);
    expect(app.refreshes()).toBe(2);
  });

  it('keeps each session to its own token', async () => {
    const app = setup();
    await expect(app.get('session-a')).resolves.toBe('access-1');
    await expect(app.get('session-b')).resolves.toBe('access-2');
    await expect(app.get('session-a')).resolves.toBe('access-1');
  });
});
