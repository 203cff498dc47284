/**
 * `npm run bench`: the app (production build, NODE_ENV=production) against its own OpenID
 * Provider on loopback, and a bare Express baseline, loaded alternately with autocannon; login
 * round trips; memory with the in-memory store and, when a Redis is available, with Redis.
 * Prints one table with every figure and its ratio to the baseline, and writes the JSON to
 * bench/results/. Flags: --quick (small counts), --profile (CPU profile of the app under load),
 * --no-redis.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resultsDir } from './children.js';
import { timedLogins } from './login-timing.js';
import { createSessions } from './logins.js';
import {
  measureAfterExpiry,
  measureMemory,
  SessionsNotInRedisError,
  type MemoryFigures,
  type PendingExpiry,
} from './memory.js';
import { formatProfile, newestMainThreadProfile, summariseProfile } from './profile-summary.js';
import { redisForBench, type RedisTarget } from './redis.js';
import { formatReport, type BenchResults } from './report.js';
import { alternate, pageBytes, profileScenarios } from './scenarios.js';
import { fullRun, quickRun, type BenchSettings } from './settings.js';
import { startAppStack, startBaseline, type AppStack } from './stacks.js';

const args = new Set(process.argv.slice(2));
const settings: BenchSettings = args.has('--quick') ? quickRun : fullRun;
const profileDir = `${resultsDir}/profiles`;
const log = (line: string) => process.stdout.write(`${line}\n`);
const stops: (() => Promise<unknown>)[] = [];

function track(stack: AppStack): AppStack {
  stops.push(() => stack.stop());
  return stack;
}

const shortSessions = {
  SESSION_IDLE_TIMEOUT: String(settings.memorySessionTimeoutSeconds),
  SESSION_ABSOLUTE_TIMEOUT: String(settings.memorySessionTimeoutSeconds),
};

async function redisMemoryPhase(
  redis: RedisTarget,
): Promise<{ stack: AppStack; pending: PendingExpiry } | { skipped: string }> {
  const stack = track(await startAppStack('app-redis-memory', { env: { ...shortSessions, REDIS_URL: redis.url } }));
  try {
    return { stack, pending: await measureMemory(stack, settings, redis) };
  } catch (error) {
    if (!(error instanceof SessionsNotInRedisError)) throw error;
    await stack.stop();
    return { skipped: error.message };
  }
}

async function main(): Promise<void> {
  const loadAverageBefore = os.loadavg();
  log(`Benchmark (${args.has('--quick') ? 'quick' : 'full'} run): logs in ${resultsDir}/logs`);

  log(`Memory, in-memory store: ${settings.memoryLogins} logins...`);
  const memoryStack = track(await startAppStack('app-memory', { env: shortSessions }));
  const memoryPending = await measureMemory(memoryStack, settings);

  const redis = args.has('--no-redis') ? { skipped: '--no-redis' } : await redisForBench(process.env);
  if ('url' in redis) stops.push(() => redis.stop());
  let redisMemory: Awaited<ReturnType<typeof redisMemoryPhase>> = { skipped: 'skipped' in redis ? redis.skipped : '' };
  if ('url' in redis) {
    log(`Memory, Redis store (${redis.url}): ${settings.memoryLogins} logins...`);
    redisMemory = await redisMemoryPhase(redis);
  }

  log('Load: app and baseline, alternately...');
  const profiling = args.has('--profile');
  if (profiling) mkdirSync(profileDir, { recursive: true });
  const main = track(
    await startAppStack('app', { nodeFlags: profiling ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] }),
  );
  const baseline = await startBaseline(main.provider.origin);
  stops.push(() => baseline.stop());
  const deadline = Date.now() + settings.sessionCreationMaxSeconds * 1000;
  const cookies = await createSessions(main.app.origin, main.provider.origin, {
    count: settings.distinctSessions,
    concurrency: settings.loginConcurrency,
    deadline,
  });
  const [firstCookie = ''] = cookies;
  const pages = [
    await pageBytes(main.app, baseline, '/', ''),
    await pageBytes(main.app, baseline, '/profile', firstCookie),
  ];
  const baselineMemory = await baseline.memory();
  const load = await alternate(
    main.app,
    baseline,
    [{ name: 'GET / anonymous', path: '/' }, ...profileScenarios(cookies)],
    settings,
    log,
  );

  log(`Logins: ${settings.timedLogins} sequential round trips...`);
  const logins = await timedLogins(main.app, settings.timedLogins);
  await main.stop();

  if ('stack' in redisMemory && 'url' in redis) {
    log('Load with the Redis store: app and baseline, alternately...');
    // Its own database, so the memory phase's "keys after expiry" counts only the memory phase's keys.
    const redisApp = track(await startAppStack('app-redis', { env: { REDIS_URL: redis.separateUrl } }));
    const redisCookies = await createSessions(redisApp.app.origin, redisApp.provider.origin, {
      count: settings.distinctSessions,
      concurrency: settings.loginConcurrency,
      deadline: Date.now() + settings.sessionCreationMaxSeconds * 1000,
    });
    load.push(...(await alternate(redisApp.app, baseline, profileScenarios(redisCookies, ' (Redis)'), settings, log)));
    await redisApp.stop();
  }

  let memory: MemoryFigures = memoryPending.figures;
  let redisFigures: MemoryFigures | undefined = 'pending' in redisMemory ? redisMemory.pending.figures : undefined;
  if (settings.measureExpiry) {
    log('Memory after the sessions expire (waiting for expiry and pruning)...');
    memory = await measureAfterExpiry(memoryStack, memoryPending);
    if ('stack' in redisMemory && 'url' in redis)
      redisFigures = await measureAfterExpiry(redisMemory.stack, redisMemory.pending, redis);
  }

  const results: BenchResults = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      loadAverageBefore,
      loadAverageAfter: os.loadavg(),
    },
    settings,
    pageBytes: pages,
    load,
    logins,
    memory,
    redisMemory: redisFigures,
    redisSkipped: 'skipped' in redisMemory ? redisMemory.skipped : undefined,
    baselineMemory,
  };
  const report = formatReport(results);
  log(`\n${report}`);
  const profile = profiling ? newestMainThreadProfile(profileDir) : undefined;
  const profileSummary = profile ? summariseProfile(profile) : undefined;
  if (profileSummary) log(formatProfile(profileSummary));
  mkdirSync(resultsDir, { recursive: true });
  const file = `${resultsDir}/bench-${results.date.replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify({ ...results, profile: profileSummary }, null, 2)}\n`);
  writeFileSync(`${resultsDir}/latest.txt`, `${report}\n${profileSummary ? formatProfile(profileSummary) : ''}`);
  log(`Written: ${file}`);
}

try {
  await main();
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
}
