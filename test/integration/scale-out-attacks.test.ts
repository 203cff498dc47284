import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { runDoctor } from '../../src/doctor/run-doctor.js';
import { createSessionStore, storeAnswers } from '../../src/sessions/create-session-store.js';
import { TestBrowser } from '../support/browser.js';
import { captureLogs } from '../support/logs.js';
import { skipRedisTests, startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startRedisTestStack, type RedisTestStack } from '../support/redis-test-stack.js';
import { startLoneSentinel, startRedisSentinel, type SentinelSetup } from '../support/redis-sentinel.js';
import { reachCallback, signedInBrowser } from '../support/sign-in.js';
import { startSilentLink, type SilentLink } from '../support/silent-link.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { eventually, withinTime } from '../support/wait.js';

const LIMIT = 3;
const REDIS_TIMEOUT_MS = 500;
const SECRET = 'x'.repeat(32);

const login = async (origin: string) => (await new TestBrowser().get(`${origin}/login`)).status;

async function statusesOf(count: number, send: () => Promise<number>): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 1) statuses.push(await send());
  return statuses;
}

/** The pid a redis-server (or Sentinel) reports for itself, to freeze it with SIGSTOP as a hung host would be. */
async function pidOf(command: (args: string[]) => Promise<unknown>): Promise<number> {
  const pid = Number(/process_id:(\d+)/.exec(String(await command(['INFO', 'server'])))?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error('no process_id in INFO server');
  return pid;
}

describe.skipIf(skipRedisTests)('rate limits counted in Redis, after Redis lost their scripts', () => {
  let redis: RedisServer | undefined;
  let stack: TestStack;
  let running: RedisTestStack | undefined;
  const command = (args: string[]) => {
    if (!redis) throw new Error('redis-server did not start');
    return redis.command(args);
  };

  beforeAll(async () => {
    running = await startRedisTestStack({
      env: { REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS), SIGN_IN_RATE_LIMIT: String(LIMIT) },
    });
    ({ redis, stack } = running);
  });
  afterAll(() => running?.close());

  // A Redis restart, or a Sentinel failover (a replica never holds the primary's scripts), empties
  // the script cache: the next count gets NOSCRIPT and loads the script again. That reload failing
  // once (here refused for a moment; in production a timeout or a connection lost mid-failover)
  // must not switch the limit off until the process restarts.
  it('counts again once reloading the scripts Redis lost has failed once', async () => {
    await command(['FLUSHALL']);
    expect(await statusesOf(LIMIT + 1, () => login(stack.appOrigin))).toEqual([302, 302, 302, 429]);

    await command(['FLUSHALL']);
    await command(['SCRIPT', 'FLUSH']);
    await command(['ACL', 'SETUSER', 'default', '-script|load']);
    try {
      // Uncounted while the script cannot be loaded: the documented fail-open.
      expect(await login(stack.appOrigin)).toBe(302);
    } finally {
      await command(['ACL', 'SETUSER', 'default', '+script|load']);
    }

    // Redis answers every command again: the limit holds again.
    expect(await statusesOf(LIMIT + 1, () => login(stack.appOrigin))).toEqual([302, 302, 302, 429]);
  });
});

describe.skipIf(skipRedisTests)('npm run doctor with Redis Sentinel, against what the app will meet', () => {
  const PASSWORD = 'the-primary-password';
  let primary: RedisServer | undefined;
  let replica: RedisServer | undefined;
  let sentinel: Awaited<ReturnType<typeof startLoneSentinel>> | undefined;
  const sentinelEnv = () => ({ REDIS_SENTINELS: `127.0.0.1:${sentinel?.port}`, SECRET });
  const sentinelResult = async (env: Record<string, string>) =>
    (await runDoctor(env)).results.find((result) => result.title === 'Redis Sentinel');

  beforeAll(async () => {
    [primary, replica, sentinel] = await Promise.all([startRedisServer(), startRedisServer(), startLoneSentinel()]);
    const primaryPort = new URL(primary.url).port;
    await replica.command(['CONFIG', 'SET', 'masterauth', PASSWORD]);
    await replica.command(['REPLICAOF', '127.0.0.1', primaryPort]);
    for (const server of [primary, replica]) await server.command(['CONFIG', 'SET', 'requirepass', PASSWORD]);
    // 'sessions' is the primary; 'stale' names the replica, as a Sentinel with an outdated view would.
    for (const [name, port] of [
      ['sessions', primaryPort],
      ['stale', new URL(replica.url).port],
    ] as const) {
      await sentinel.command(['SENTINEL', 'MONITOR', name, '127.0.0.1', port, '1']);
      await sentinel.command(['SENTINEL', 'SET', name, 'auth-pass', PASSWORD]);
    }
  });
  afterAll(async () => {
    await sentinel?.close();
    await replica?.close();
    await primary?.close();
  });

  it('passes when the primary the Sentinel names accepts REDIS_PASSWORD', async () => {
    const result = await sentinelResult({
      ...sentinelEnv(),
      REDIS_SENTINEL_NAME: 'sessions',
      REDIS_PASSWORD: PASSWORD,
    });
    expect(result?.status).not.toBe('fail');
    expect(result?.detail).toContain(`primary 127.0.0.1:${new URL(primary?.url ?? '').port}`);
  });

  // The app cannot sign anyone in with a password the primary refuses; "PASS" sent the operator elsewhere.
  it('fails when the primary refuses REDIS_PASSWORD, and never prints it', async () => {
    const report = await runDoctor({
      ...sentinelEnv(),
      REDIS_SENTINEL_NAME: 'sessions',
      REDIS_PASSWORD: 'a-wrong-password',
    });
    const result = report.results.find((found) => found.title === 'Redis Sentinel');
    expect(result?.status).toBe('fail');
    expect(`${result?.detail} ${result?.fix}`).toContain('REDIS_PASSWORD');
    expect(JSON.stringify(report)).not.toContain('a-wrong-password');
    expect(report.exitCode).toBe(1);
  });

  // Sentinel's own client guidelines: check ROLE at the address named. node-redis does not; the app's
  // writes would all be refused (READONLY) while the doctor said PASS.
  it('fails when the address the Sentinel names is not a primary', async () => {
    const result = await sentinelResult({ ...sentinelEnv(), REDIS_SENTINEL_NAME: 'stale', REDIS_PASSWORD: PASSWORD });
    expect(result?.status).toBe('fail');
    expect(result?.detail).toMatch(/not a primary/);
  });

  it('answers within its time limit while the Sentinel hangs (accepts connections, never answers)', async () => {
    if (!sentinel) throw new Error('Sentinel did not start');
    const lone = sentinel;
    const pid = await pidOf((args) => lone.command(args));
    process.kill(pid, 'SIGSTOP');
    try {
      const report = await withinTime(
        runDoctor({ ...sentinelEnv(), REDIS_SENTINEL_NAME: 'sessions', REDIS_PASSWORD: PASSWORD }),
        10_000,
        'the doctor to finish',
      );
      const check = report.results.find((found) => found.title === 'Redis Sentinel');
      expect(check?.status).toBe('fail');
      expect(check?.detail).toContain('did not answer');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  }, 20_000);
});

describe.skipIf(skipRedisTests)('Redis with Sentinel, when one part misbehaves', () => {
  let redis: SentinelSetup | undefined;
  let stack: TestStack | undefined;
  const setup = () => {
    if (!redis || !stack) throw new Error('the stack did not start');
    return { redis, stack };
  };
  const storeConfig = (sentinels: string) =>
    loadConfig({
      NODE_ENV: 'test',
      REDIS_SENTINELS: sentinels,
      REDIS_SENTINEL_NAME: redis?.name,
      REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
      SECRET,
    });

  beforeAll(async () => {
    redis = await startRedisSentinel();
    stack = await startTestStack({
      env: {
        REDIS_SENTINELS: redis.sentinels,
        REDIS_SENTINEL_NAME: redis.name,
        REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
        SIGN_IN_RATE_LIMIT: '1000',
      },
    });
  }, 30_000);
  afterAll(async () => {
    await stack?.close();
    await redis?.close();
  });
  beforeEach(async () => {
    const { redis: sentinel } = setup();
    await eventually(
      async () =>
        /slave0:.*state=online/.test(String(await sentinel.command(sentinel.primaryPort, ['INFO', 'replication']))),
      10_000,
      'the replica to be online',
    );
  });

  // FOUND, fixed: every sign-in's WAIT ran on the one connection all of the instance's commands
  // share, and Redis holds that connection while WAIT blocks. With a replica connected but not
  // acknowledging (its stream held here), concurrent sign-ins queued their WAITs one behind the
  // other and the later ones ran out of REDIS_TIMEOUT_MS: 4 at once, 2 answered 503. Now writes
  // arriving during a WAIT share the next one, and after a late WAIT writes go unconfirmed for a
  // second (replica-wait.ts).
  it('signs in every visitor of a burst while the replica is late, as the write is acknowledged anyway', async () => {
    const { redis: sentinel, stack: app } = setup();
    const burst = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const browser = new TestBrowser();
        const { callbackUrl } = await reachCallback(browser, app.appOrigin);
        return { browser, callbackUrl };
      }),
    );
    sentinel.holdReplication();
    try {
      const callbacks = await Promise.all(burst.map(({ browser, callbackUrl }) => browser.get(callbackUrl.href)));
      expect(callbacks.map((callback) => callback.status)).toEqual(burst.map(() => 302));
    } finally {
      sentinel.releaseReplication();
    }
  }, 30_000);

  // FINDING (not fixed): node-redis's Sentinel client asks the Sentinels one after the other, and
  // its connections to them have no bound once a command is written (connectTimeout covers only the
  // TCP connect). A Sentinel that accepts connections but never answers (a frozen or swapping host)
  // listed first stops the app from ever reaching Redis, although the other two answer: no
  // session, no log line. Sentinel exists to survive one of them failing.
  it.fails(
    'reaches the primary through the other Sentinels while the first one listed hangs',
    async () => {
      const { redis: sentinel } = setup();
      const [hung] = sentinel.sentinels.split(',');
      const pid = await pidOf((args) => sentinel.command(Number(hung?.split(':')[1]), args));
      process.kill(pid, 'SIGSTOP');
      const store = await createSessionStore(storeConfig(sentinel.sentinels), captureLogs().logger);
      try {
        expect(await storeAnswers(store, 5000)).toBe(true);
      } finally {
        process.kill(pid, 'SIGCONT');
        await store.close();
      }
    },
    30_000,
  );

  // FINDING (not fixed), the same cause: the Sentinel client's close() and destroy() both wait for
  // its connect() to finish, which waits for the hung Sentinel. Shutdown then hangs until
  // SHUTDOWN_TIMEOUT_MS kills the process (exit 1), although closing is meant to give up after 2 s.
  it.fails(
    'closes the store within its grace while a Sentinel hangs',
    async () => {
      const { redis: sentinel } = setup();
      const [hung] = sentinel.sentinels.split(',');
      const pid = await pidOf((args) => sentinel.command(Number(hung?.split(':')[1]), args));
      process.kill(pid, 'SIGSTOP');
      const store = await createSessionStore(storeConfig(sentinel.sentinels), captureLogs().logger);
      let closing: Promise<void> | undefined;
      try {
        await sleep(1000);
        closing = store.close();
        // RedisSessionIndex gives a closing client 2 s before destroying it.
        await withinTime(closing, 4000, 'the store to close');
      } finally {
        process.kill(pid, 'SIGCONT');
        await closing;
      }
    },
    30_000,
  );
});

describe.skipIf(skipRedisTests)('Redis with Sentinel, when the connection to a healthy primary goes silent', () => {
  let redis: RedisServer | undefined;
  let sentinel: Awaited<ReturnType<typeof startLoneSentinel>> | undefined;
  let link: SilentLink | undefined;
  let stack: TestStack | undefined;

  beforeAll(async () => {
    [redis, sentinel] = await Promise.all([startRedisServer(), startLoneSentinel()]);
    link = await startSilentLink(Number(new URL(redis.url).port));
    // Sentinel and the app both reach the primary through the link; only the app's connection goes silent.
    await sentinel.command(['SENTINEL', 'MONITOR', 'sessions', '127.0.0.1', String(link.port), '1']);
    stack = await startTestStack({
      env: {
        REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`,
        REDIS_SENTINEL_NAME: 'sessions',
        REDIS_TIMEOUT_MS: String(REDIS_TIMEOUT_MS),
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await link?.close();
    await sentinel?.close();
    await redis?.close();
  });

  // FINDING (not fixed): with REDIS_URL, a connection on which nothing answers for REDIS_TIMEOUT_MS
  // is dropped and reopened (onStuck, redis-client.ts), so this heals in about a second. The
  // Sentinel store has no onStuck ("Sentinel fails the primary over"), but Sentinel sees a healthy
  // primary here and does nothing: every signed-in page answers 503 until TCP gives up (about 15
  // minutes on Linux), and nothing is logged. Destroying and reconnecting the Sentinel client on
  // stuck heals this but breaks the frozen-primary failover (it reconnects to the frozen primary,
  // whose handshake then never ends), so the fix needs a bound on node-redis's own connection.
  it.fails(
    'opens a new connection within seconds, as with REDIS_URL, instead of answering 503 until TCP gives up',
    async () => {
      if (!stack || !link) throw new Error('the stack did not start');
      const app = stack;
      const { cookie } = await signedInBrowser(app.appOrigin);
      expect(link.silenceOpenConnections()).toBeGreaterThan(0);
      await eventually(
        async () =>
          (await new TestBrowser().get(`${app.appOrigin}/profile`, { cookie: `session=${cookie}` })).status === 200,
        5000,
        'a signed-in page to answer 200 again',
      );
    },
    30_000,
  );
});
