import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../src/auth/memory-session-store.js';
import type { SessionStoreBackend, StoredSession } from '../../src/auth/session-data.js';
import { throttleSessionWrites, writeWindowSeconds } from '../../src/auth/throttled-session-store.js';

const WINDOW = 60;
const T0 = 1_800_000_000;

function record(uat: number, data: StoredSession['data'] = { id_token: 'token', csrfToken: 'csrf' }): StoredSession {
  return { header: { iat: T0, uat, exp: uat + 1800 }, data, cookie: { expires: (uat + 1800) * 1000, maxAge: 1_800_000 } };
}

/** A real in-memory store that also counts the writes reaching it. */
function countingStore(): SessionStoreBackend & { writes: string[] } {
  const inner = new MemorySessionStore({ now: () => T0 * 1000 });
  const writes: string[] = [];
  return {
    writes,
    get: (sid, callback) => inner.get(sid, callback),
    set(sid, session, callback) {
      writes.push(sid);
      inner.set(sid, session, callback);
    },
    destroy: (sid, callback) => inner.destroy(sid, callback),
    close: () => inner.close(),
  };
}

describe('throttleSessionWrites', () => {
  const inner = countingStore();
  const store = throttleSessionWrites(inner, WINDOW);
  const get = promisify(store.get.bind(store));
  const set = promisify(store.set.bind(store));
  afterEach(() => {
    inner.writes.length = 0;
  });

  /** What express-openid-connect does at the end of a response: the loaded data, a new uat. */
  async function request(sid: string, now: number, change?: (data: StoredSession['data']) => void): Promise<void> {
    const stored = await get(sid);
    if (!stored) throw new Error(`no session ${sid}`);
    change?.(stored.data);
    await set(sid, { ...stored, header: { ...stored.header, uat: now } });
  }

  it('writes a new session', async () => {
    await set('new', record(T0));
    expect(inner.writes).toEqual(['new']);
  });

  it('skips rewriting an unchanged session whose stored uat is younger than the window', async () => {
    await set('recent', record(T0));
    await request('recent', T0 + 10);
    await request('recent', T0 + WINDOW - 1);
    expect(inner.writes).toEqual(['recent']);
    expect((await get('recent'))?.header.uat).toBe(T0);
  });

  it('rewrites an unchanged session once its stored uat is a window old, so idle expiry moves on', async () => {
    await set('active', record(T0));
    await request('active', T0 + WINDOW);
    expect(inner.writes).toEqual(['active', 'active']);
    expect((await get('active'))?.header.uat).toBe(T0 + WINDOW);
  });

  it('always writes a session whose data the request changed', async () => {
    await set('changed', record(T0));
    await request('changed', T0 + 1, (data) => {
      data.access_token = 'refreshed';
    });
    expect(inner.writes).toEqual(['changed', 'changed']);
    expect((await get('changed'))?.data.access_token).toBe('refreshed');
  });

  it('always writes the session under a new id (a regenerated session)', async () => {
    await set('old-id', record(T0));
    const stored = await get('old-id');
    if (!stored) throw new Error('no session');
    await set('new-id', { ...stored, header: { ...stored.header, uat: T0 + 1 } });
    expect(inner.writes).toEqual(['old-id', 'new-id']);
  });

  it('writes a session it did not load itself', async () => {
    await set('twice', record(T0));
    await set('twice', record(T0 + 1));
    expect(inner.writes).toEqual(['twice', 'twice']);
  });

  it('passes destroy through', async () => {
    await set('gone', record(T0));
    await promisify(store.destroy.bind(store))('gone');
    expect(await get('gone')).toBeNull();
  });
});

describe('writeWindowSeconds', () => {
  it('is a minute for the usual idle timeouts, and a tenth of a short one', () => {
    expect(writeWindowSeconds(1800)).toBe(60);
    expect(writeWindowSeconds(300)).toBe(30);
    expect(writeWindowSeconds(60)).toBe(6);
  });
});
