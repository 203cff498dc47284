import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { assembleSessionStore } from '../../src/sessions/create-session-store.js';
import type { StoredSession } from '../../src/sessions/session-data.js';
import { MemoryRecordStore } from '../../src/sessions/stores/memory-record-store.js';
import { MemorySessionIndex } from '../../src/sessions/stores/memory-session-index.js';
import { waitForReplica } from '../../src/sessions/stores/replica-wait.js';
import { captureLogs } from '../support/logs.js';
import { eventually } from '../support/wait.js';

const now = () => Math.floor(Date.now() / 1000);

function session(
  user: string,
  {
    signedInSecondsAgo = 0,
    usedSecondsAgo = signedInSecondsAgo,
  }: { signedInSecondsAgo?: number; usedSecondsAgo?: number } = {},
): StoredSession {
  const exp = now() + 600;
  return {
    header: { iat: now() - signedInSecondsAgo, uat: now() - usedSecondsAgo, exp },
    data: { sid: `sid-${user}`, handle: `handle-${user}`, userinfo: { sub: user }, refresh_token: `rt-${user}` },
    cookie: { expires: exp * 1000, maxAge: 600_000 },
  };
}

/** A memory-backed session store that counts its waits for a replica. */
function countingStore() {
  const waits: string[] = [];
  const logs = captureLogs();
  let operation = '';
  const index = new MemorySessionIndex();
  const records = new MemoryRecordStore({ alsoHeld: () => index.markCount, pruneIntervalMs: 3_600_000 });
  const store = assembleSessionStore(
    {
      records,
      index,
      replicate: () => {
        waits.push(operation);
        return Promise.resolve();
      },
    },
    loadConfig({}),
    logs.logger,
  );
  const doing = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    operation = name;
    return work();
  };
  return {
    store,
    waits,
    doing,
    set: (id: string, record: StoredSession) => promisify(store.set.bind(store))(id, record),
    destroy: (id: string) => promisify(store.destroy.bind(store))(id),
  };
}

describe('which session writes wait for a replica (Redis with Sentinel)', () => {
  it('waits after a sign-in, a logout, ended sessions, a back-channel logout and refreshed tokens, but not after a touch', async () => {
    const { store, waits, doing, set, destroy } = countingStore();
    try {
      const first = store.ids.generate();
      const second = store.ids.generate();
      const third = store.ids.generate();
      await doing('sign-in', () => set(first, session('alice')));
      await doing('sign-in', () => set(second, session('bob')));
      await doing('sign-in', () => set(third, session('carol')));
      // Written back once a minute to record use: losing one costs a minute of idle time, not a session.
      await doing('touch', () => set(first, session('alice', { signedInSecondsAgo: 300, usedSecondsAgo: 0 })));
      await doing('tokens', () =>
        store.writeTokens(first, { accessToken: 'at', refreshToken: 'rt-2', expiresAt: Date.now() + 60_000 }),
      );
      await doing('end sessions', () => store.endSessions('bob', ['handle-bob']));
      await doing('back-channel', () =>
        store.endProviderSessions({ sid: 'sid-carol', jti: 'jti-1', issuedAt: Date.now(), acceptedUntil: Date.now() }),
      );
      await doing('logout', () => destroy(first));
      expect(waits).toEqual(['sign-in', 'sign-in', 'sign-in', 'tokens', 'end sessions', 'back-channel', 'logout']);
    } finally {
      await store.close();
    }
  });
});

describe('waitForReplica', () => {
  const roleWith = (replicas: number) => [
    'master',
    0,
    Array.from({ length: replicas }, () => ['127.0.0.1', '6380', '0']),
  ];

  it('asks ROLE at most once a second, and sends WAIT only while the primary has replicas', async () => {
    let clock = 0;
    let replicas = 1;
    const sent: string[] = [];
    const wait = waitForReplica({
      sendCommand: (args) => {
        sent.push(args[0] ?? '');
        return Promise.resolve(args[0] === 'ROLE' ? roleWith(replicas) : 1);
      },
      waitMs: 100,
      logger: captureLogs().logger,
      now: () => clock,
    });
    await wait();
    await wait();
    expect(sent).toEqual(['ROLE', 'WAIT', 'WAIT']);
    replicas = 0;
    clock = 999;
    await wait();
    expect(sent.slice(3)).toEqual(['WAIT']);
    clock = 1000;
    await wait();
    await wait();
    expect(sent.slice(4)).toEqual(['ROLE']);
  });

  it('acknowledges a write no replica confirmed in time, and says so once a minute', async () => {
    let clock = 0;
    const logs = captureLogs();
    const wait = waitForReplica({
      sendCommand: (args) => Promise.resolve(args[0] === 'ROLE' ? roleWith(1) : 0),
      waitMs: 100,
      logger: logs.logger,
      now: () => clock,
    });
    const late = () => logs.lines().filter((line) => line.event === 'redis.replica_late').length;
    await wait();
    clock = 59_999;
    await wait();
    expect(late()).toBe(1);
    clock = 60_000;
    await wait();
    expect(late()).toBe(2);
  });

  it('shares one WAIT among the writes that arrive while one is under way', async () => {
    const sent: string[] = [];
    const answers: ((confirmed: number) => void)[] = [];
    const wait = waitForReplica({
      sendCommand: (args) => {
        sent.push(args[0] ?? '');
        if (args[0] === 'ROLE') return Promise.resolve(roleWith(1));
        return new Promise((resolve) => answers.push(resolve));
      },
      waitMs: 100,
      logger: captureLogs().logger,
      now: () => 0,
    });
    const first = wait();
    await eventually(() => answers.length === 1, 1000, 'the first WAIT');
    const burst = Array.from({ length: 5 }, () => wait());
    answers[0]?.(1);
    await first;
    await eventually(() => answers.length === 2, 1000, 'the shared second WAIT');
    answers[1]?.(1);
    await Promise.all(burst);
    expect(sent).toEqual(['ROLE', 'WAIT', 'WAIT']);
  });

  it('after a WAIT no replica confirmed, acknowledges writes without waiting for a second, then waits again', async () => {
    let clock = 0;
    let confirmed = 0;
    const sent: string[] = [];
    const logs = captureLogs();
    const wait = waitForReplica({
      sendCommand: (args) => {
        sent.push(args[0] ?? '');
        return Promise.resolve(args[0] === 'ROLE' ? roleWith(1) : confirmed);
      },
      waitMs: 100,
      logger: logs.logger,
      now: () => clock,
    });
    await wait();
    clock = 500;
    await wait();
    await wait();
    expect(sent.filter((command) => command === 'WAIT')).toHaveLength(1);
    confirmed = 1;
    clock = 1000;
    await wait();
    expect(sent.filter((command) => command === 'WAIT')).toHaveLength(2);
    const late = logs.lines().filter((line) => line.event === 'redis.replica_late');
    expect(late).toHaveLength(1);
    expect(late[0]?.unconfirmed).toBe(1);
  });
});
