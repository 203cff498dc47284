import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../src/auth/memory-session-store.js';
import type { StoredSession } from '../../src/auth/session-data.js';

let now = 1_000_000;

/** A record as stored and as read back: its cookie's maxAge is what is left of it. */
function entry(expires: number): StoredSession {
  return { header: { iat: 0, uat: 0, exp: expires / 1000 }, data: { sid: 'x' }, cookie: { expires, maxAge: expires - now } };
}

describe('MemorySessionStore', () => {
  const store = new MemorySessionStore({ now: () => now, pruneIntervalMs: 3_600_000 });
  const get = promisify(store.get.bind(store));
  afterEach(() => store.close());

  it('returns what was stored until it expires, then nothing', async () => {
    store.set('a', entry(now + 1000));
    expect(await get('a')).toEqual(entry(now + 1000));
    now += 1000;
    expect(await get('a')).toBeNull();
  });

  it('hands out copies, so changing one changes nothing stored until set', async () => {
    store.set('c', entry(now + 1000));
    const first = await get('c');
    if (!first) throw new Error('no session');
    first.data.sid = 'changed';
    expect((await get('c'))?.data.sid).toBe('x');
    store.destroy('c');
  });

  it('forgets a destroyed session', async () => {
    store.set('b', entry(now + 1000));
    store.destroy('b');
    expect(await get('b')).toBeNull();
  });

  it('prunes expired sessions without being asked for them', async () => {
    store.set('old', entry(now + 10));
    store.set('new', entry(now + 10_000));
    now += 100;
    expect(store.prune()).toBe(1);
    expect(await promisify(store.length.bind(store))()).toBe(1);
  });
});
