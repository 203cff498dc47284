/**
 * `npm run bench`: the app (production build, NODE_ENV=production) against its own OpenID
 * Provider on https, and a bare Express baseline, loaded in interleaved rounds with autocannon;
 * login round trips; heap and RSS at rest and under sustained logins, in memory and, when a Redis
 * is available, on Redis, with `/profile` among 100,000 live sessions. Prints one table that answers
 * each target of issue 12 with yes or MISSED, and writes the JSON to bench/results/. Flags:
 * --quick (small counts), --profile (CPU profile of the app under load), --no-redis.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { Child } from './children.js';
import { resultsDir } from './children.js';
import { timedLogins } from './login-timing.js';
import { createSessions } from './logins.js';
import {
  measureAfterExpiry,
  measureMemory,
  restingMemory,
  SessionsNotInRedisError,
  type MemoryFigures,
  type PendingExpiry,
} from './memory.js';
import { formatProfile, newestMainThreadProfile, summariseProfile } from './profile-summary.js';
import { redisForBench, type RedisTarget } from './redis.js';
import { formatReport, type AtRest, type BenchResults } from './report.js';
import { alternate, anonymousScenario, pageBytes, profileScenarios, type Scenario } from './scenarios.js';
import { buildTokenPageApp } from './token-page/build.js';
import { tokenPageStacks } from './token-page/stacks.js';
import { seedSessions, type SeedFigures } from './seed-sessions.js';
import { fullRun, quickRun, type BenchSettings } from './settings.js';
import { benchTls, startAppStack, startBaseline, type AppStack } from './stacks.js';
import type { BenchCertificate } from './tls-certificate.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const settings: BenchSettings = quick ? quickRun : fullRun;
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

const signIn = async (stack: AppStack) => (await createFor(stack, 1))[0] ?? '';

const createFor = (stack: AppStack, count: number) =>
  createSessions(stack.app.origin, stack.provider.origin, {
    count,
    concurrency: settings.loginConcurrency,
    deadline: Date.now() + settings.sessionCreationMaxSeconds * 1000,
  });

async function redisMemoryPhase(
  redis: RedisTarget,
  tls: BenchCertificate,
): Promise<{ stack: AppStack; pending: PendingExpiry } | { skipped: string }> {
  const stack = track(
    await startAppStack('app-redis-memory', { tls, env: { ...shortSessions, REDIS_URL: redis.url } }),
  );
  try {
    return { stack, pending: await measureMemory(stack, settings, redis) };
  } catch (error) {
    if (!(error instanceof SessionsNotInRedisError)) throw error;
    await stack.stop();
    return { skipped: error.message };
  }
}

interface RedisLoad {
  scenarios: Scenario[];
  atRest: AtRest;
  seeded?: SeedFigures;
  seedSkipped?: string;
  stop(): Promise<void>;
}

/**
 * The Redis load rows: one instance with `distinctSessions` real sessions in its own database,
 * and (on a throwaway redis-server) a second in a third database holding one real session among
 * `seededSessions` written straight through the app's own store, loaded in the same rounds.
 */
async function redisLoad(
  redis: RedisTarget,
  tls: BenchCertificate,
  tokenPageBuild: string,
  baseline: Child,
  baselineRest: AtRest['baseline'],
): Promise<RedisLoad> {
  const app = track(await startAppStack('app-redis', { tls, env: { REDIS_URL: redis.separateUrl } }));
  const atRest: AtRest = { store: 'Redis', app: await restingMemory(app.app, true), baseline: baselineRest };
  const cookies = await createFor(app, settings.distinctSessions);
  const [oneSession, manySessions] = profileScenarios(app.app, baseline, cookies, ' (Redis)');
  if (!oneSession || !manySessions) throw new Error('unreachable: two profile scenarios');
  const tokenPage = await tokenPageStacks({ tls, build: tokenPageBuild, redisUrl: redis.separateUrl, track, signIn });
  const result: RedisLoad = {
    scenarios: [anonymousScenario(app.app, baseline, ' (Redis)'), oneSession, manySessions, tokenPage.scenario],
    atRest,
    stop: async () => {
      await tokenPage.stop();
      await app.stop();
    },
  };
  if (!redis.seedUrl) {
    result.seedSkipped = 'REDIS_URL is set: the benchmark fills only a throwaway redis-server with extra sessions';
    return result;
  }
  const seededApp = track(await startAppStack('app-redis-seeded', { tls, env: { REDIS_URL: redis.seedUrl } }));
  const [seededCookie = ''] = await createFor(seededApp, 1);
  log(
    `Seeding ${settings.seededSessions.toLocaleString('en')} sessions through the app's store (${settings.seedConcurrency} in flight)...`,
  );
  result.seeded = await seedSessions(seededApp.env, seededCookie, {
    count: settings.seededSessions,
    concurrency: settings.seedConcurrency,
    deadline: Date.now() + settings.seedMaxSeconds * 1000,
  });
  log(
    `  ${result.seeded.sessions.toLocaleString('en')} sessions in ${result.seeded.seconds.toFixed(1)} s; Redis keys in that database: ${(await redis.keys(redis.seedUrl)).toLocaleString('en')}`,
  );
  const many = `GET /profile, 1 session among ${result.seeded.sessions.toLocaleString('en')} (Redis)`;
  const [appSide, baselineSide] = oneSession.sides;
  if (!appSide || !baselineSide) throw new Error('unreachable: two sides');
  result.scenarios[1] = {
    ...oneSession,
    sides: [
      appSide,
      // As warm as the 1-session instance, which is warmed in each of the Redis scenarios before the rounds.
      {
        label: many,
        target: seededApp.app,
        cookies: [seededCookie],
        warmupSeconds: settings.warmupSeconds * result.scenarios.length,
      },
      baselineSide,
    ],
    flatness: { many, one: appSide.label },
  };
  result.stop = async () => {
    await seededApp.stop();
    await tokenPage.stop();
    await app.stop();
  };
  return result;
}

async function main(): Promise<void> {
  const loadAverageBefore = os.loadavg();
  log(`Benchmark (${quick ? 'quick' : 'full'} run): logs in ${resultsDir}/logs`);
  const tls = await benchTls();
  stops.push(() => tls.remove());

  log(`Memory, in-memory store: ${settings.memoryLogins} logins...`);
  const memoryStack = track(await startAppStack('app-memory', { tls, env: shortSessions }));
  const memoryPending = await measureMemory(memoryStack, settings);

  const redis = args.has('--no-redis') ? { skipped: '--no-redis' } : await redisForBench(process.env);
  if ('url' in redis) stops.push(() => redis.stop());
  let redisMemory: Awaited<ReturnType<typeof redisMemoryPhase>> = { skipped: 'skipped' in redis ? redis.skipped : '' };
  if ('url' in redis) {
    log(`Memory, Redis store (${redis.url}): ${settings.memoryLogins} logins...`);
    redisMemory = await redisMemoryPhase(redis, tls);
  }

  log('At rest, then load: app and baseline, interleaved...');
  const profiling = args.has('--profile');
  if (profiling) mkdirSync(profileDir, { recursive: true });
  const main = track(
    await startAppStack('app', { tls, nodeFlags: profiling ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [] }),
  );
  const baseline = await startBaseline(main.provider.origin);
  stops.push(() => baseline.stop());
  const baselineRest = await restingMemory(baseline, false);
  const atRest: AtRest[] = [{ store: 'memory', app: await restingMemory(main.app, true), baseline: baselineRest }];
  const cookies = await createFor(main, settings.distinctSessions);
  const [firstCookie = ''] = cookies;
  const pages = [
    await pageBytes(main.app, baseline, '/', ''),
    await pageBytes(main.app, baseline, '/profile', firstCookie),
  ];
  log('Building the token page variant (bench/token-page/)...');
  const tokenPageBuild = await buildTokenPageApp();
  const tokenPage = await tokenPageStacks({ tls, build: tokenPageBuild, track, signIn });
  const load = await alternate(
    [anonymousScenario(main.app, baseline), ...profileScenarios(main.app, baseline, cookies), tokenPage.scenario],
    settings,
    log,
  );
  await tokenPage.stop();

  log(`Logins: ${settings.timedLogins} sequential round trips...`);
  const logins = await timedLogins(main.app, settings.timedLogins);
  await main.stop();

  let seeded: SeedFigures | undefined;
  let seedSkipped: string | undefined;
  if ('stack' in redisMemory && 'url' in redis) {
    log('Load with the Redis store: app and baseline, interleaved...');
    const redisRows = await redisLoad(redis, tls, tokenPageBuild, baseline, baselineRest);
    atRest.push(redisRows.atRest);
    ({ seeded, seedSkipped } = redisRows);
    load.push(...(await alternate(redisRows.scenarios, settings, log)));
    await redisRows.stop();
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
    quick,
    pageBytes: pages,
    load,
    logins,
    atRest,
    memory,
    redisMemory: redisFigures,
    redisSkipped: 'skipped' in redisMemory ? redisMemory.skipped : undefined,
    seeded,
    seedSkipped,
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
