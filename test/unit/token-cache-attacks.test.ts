import { randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { sessionCookie } from '../../src/sessions/session-cookie.js';
import type { SessionTokens } from '../../src/sessions/index.js';
import { createAccessTokens } from '../../src/sign-in/access-tokens.js';

/*
 * Attacks on the in-process token cache (sign-in/recent-tokens.ts) through req.accessToken(), with
 * the store and the provider faked: what it costs in memory, and whose token it hands out.
 */

const untouchable = new Proxy(
  {},
  {
    get(_target, name) {
      throw new Error(`unexpected use of ${String(name)}`);
    },
  },
) as never;

const HOUR = 3600;

function app(records: Map<string, SessionTokens>) {
  const tokens = createAccessTokens({
    enabled: true,
    store: {
      readTokens: (id: string) => Promise.resolve(records.get(id)),
      writeTokens: () => Promise.reject(new Error('no refresh expected')),
      lockTokens: () => Promise.resolve(false),
      unlockTokens: () => Promise.resolve(),
      whenSessionsEnd: () => undefined,
    },
    session: untouchable,
    client: untouchable,
    providerTimeoutMs: 1000,
    storeTimeoutMs: 500,
    logger: pino({ level: 'silent' }),
  });
  // As load-session.ts puts it there: the sign-in's token is stale, the session was refreshed since.
  const requestWith = (id: string) =>
    ({ id: 'r', appSession: { id, data: { access_token: 'signin', expires_at: 1, refresh_token: 'r' } } }) as never;
  return { get: (id: string) => tokens.get(requestWith(id), untouchable) };
}

describe('the token cache under attack', () => {
  it('keeps each of two sessions to its own token, also for ids that differ only in their signature', async () => {
    const hex = randomBytes(16).toString('hex');
    // The same random part signed under two SECRETs is two different sessions (two storage keys).
    const underNew = `${hex}.${'A'.repeat(43)}`;
    const underOld = `${hex}.${'B'.repeat(43)}`;
    const expiresAt = Math.floor(Date.now() / 1000) + HOUR;
    const records = new Map<string, SessionTokens>([
      [underNew, { accessToken: 'token-of-new', expiresAt }],
      [underOld, { accessToken: 'token-of-old', expiresAt }],
    ]);
    const tokens = app(records);
    await expect(tokens.get(underNew)).resolves.toBe('token-of-new');
    await expect(tokens.get(underOld)).resolves.toBe('token-of-old');
    await expect(tokens.get(underNew)).resolves.toBe('token-of-new');
  });

  /*
   * The cache is keyed by req.appSession.id, which is the cookie value as cookie.parse() cut it out
   * of the Cookie header: a V8 sliced string that keeps the whole header alive (session-id.ts copies
   * its remembered ids for exactly this reason). A visitor who pads the Cookie header (up to Node's
   * 16 KiB header limit) makes each of the 2,000 entries hold ~16 KiB instead of ~1 KiB: about
   * 32 MiB, ten times what docs/performance.md promises. Ended sessions' entries are never removed,
   * so one account signing in again and again fills it.
   */
  it('holds no more than its access tokens in memory when visitors pad their Cookie header', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const cookie = sessionCookie('session', { secure: false });
    const expiresAt = Math.floor(Date.now() / 1000) + HOUR;
    const records = new Map<string, SessionTokens>();
    const tokens = app(records);
    const SESSIONS = 2000;
    const ids: string[] = [];
    for (let i = 0; i < SESSIONS; i += 1) {
      const id = `${randomBytes(16).toString('hex')}.${randomBytes(32).toString('base64url')}`;
      records.set(id, { accessToken: `eyJ${randomBytes(700).toString('base64url')}`, expiresAt });
      ids.push(id);
    }
    gc();
    const before = process.memoryUsage().heapUsed;
    for (const id of ids) {
      // As the HTTP parser hands it over: one flat string per request.
      const header = Buffer.from(`pad=${'x'.repeat(15_000)}; session=${id}`, 'latin1').toString('latin1');
      const fromCookie = cookie.read({ headers: { cookie: header } } as never);
      if (fromCookie === undefined) throw new Error('no cookie read');
      await tokens.get(fromCookie);
    }
    // The store's own copies are let go: only what the cache holds stays.
    const lastId = ids.at(-1) ?? '';
    records.clear();
    ids.length = 0;
    gc();
    const grownMiB = (process.memoryUsage().heapUsed - before) / 2 ** 20;
    // The cache is still in use (so not garbage itself): it answers without the store.
    await expect(tokens.get(lastId)).resolves.toMatch(/^eyJ/);
    // 2,000 tokens of ~1 KiB plus their keys: a few MiB. Each padded header kept alive: ~30 MiB.
    expect(grownMiB).toBeLessThan(8);
  });
});
