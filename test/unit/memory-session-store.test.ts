import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryRecordStore } from '../../src/sessions/stores/memory-record-store.js';
import type { SealedRecord } from '../../src/sessions/session-data.js';
import { SessionLimitReached } from '../../src/errors.js';

let now = 1_000_000;

const entry = (expires: number, sealed = 'k.sealed'): SealedRecord => ({ sealed, cookie: { expires } });

describe('MemoryRecordStore', () => {
  const store = new MemoryRecordStore({ now: () => now, pruneIntervalMs: 3_600_000 });
  const get = promisify(store.get.bind(store));
  const set = promisify(store.set.bind(store));
  afterEach(() => store.close());

  it('returns what was stored until it expires, then nothing', async () => {
    await set('a', entry(now + 1000));
    expect(await get('a')).toEqual(entry(now + 1000));
    now += 1000;
    expect(await get('a')).toBeNull();
  });

  it('forgets a destroyed session', async () => {
    await set('b', entry(now + 1000));
    store.destroy('b');
    expect(await get('b')).toBeNull();
  });

  it('prunes expired sessions without being asked for them', async () => {
    await set('old', entry(now + 10));
    await set('new', entry(now + 10_000));
    now += 100;
    expect(store.prune()).toBe(1);
    expect(await get('new')).not.toBeNull();
  });
});

describe('MemoryRecordStore at its cap', () => {
  it('refuses a new session, says so once per refusal, and keeps accepting writes to the sessions it holds', async () => {
    let clock = 0;
    let full = 0;
    const store = new MemoryRecordStore({
      maxSessions: 2,
      onFull: () => (full += 1),
      now: () => clock,
      pruneIntervalMs: 3_600_000,
    });
    const set = promisify(store.set.bind(store));
    const get = promisify(store.get.bind(store));
    try {
      await set('a', entry(1000));
      await set('b', entry(60_000));
      await expect(set('c', entry(60_000))).rejects.toBeInstanceOf(SessionLimitReached);
      expect(full).toBe(1);
      await set('a', entry(2000, 'k.again'));
      expect((await get('a'))?.sealed).toBe('k.again');
      expect(await get('c')).toBeNull();
      // Once a session has expired, its place is free again.
      clock = 2000;
      await set('c', entry(60_000));
      expect(await get('c')).not.toBeNull();
    } finally {
      await store.close();
    }
  });
});
