/**
 * `npm run bench:ab -- [options]`: two variants of the app, A and B, loaded in alternating rounds
 * (which goes first rotates), for judging a change smaller than the noise of separate runs. A
 * variant is a build (`--a-build dist-a`: a directory beside dist/ holding another build's
 * server.js, made with `npx tsx scripts/build.ts dist-a`) and extra environment
 * (`--b-env LOG_LEVEL=warn`). Prints each round, then the medians and B's ratio to A.
 *
 *   --path /profile   --rounds 8   --seconds 4   --sessions 1   --a-build dist   --b-build dist
 *   --a-env K=V,K=V   --b-env K=V,K=V   --a-flags F,F   --b-flags F,F (node flags, e.g. --b-flags=--optimize-for-size)
 *   --api (both sign in with an access token, as with AUDIENCE set)
 */
import { load, type LoadResult } from './load.js';
import { createSessions } from './logins.js';
import { fullRun } from './settings.js';
import { benchTls, startAppStack, type AppStack } from './stacks.js';
import { median } from './stats.js';

const MAX_ROUNDS = 40;
const MAX_SECONDS = 30;

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

function envOf(list: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of list.split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`not K=V: ${pair}`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** `--b-flags=--x,--y`: written with `=`, since the flags themselves start with dashes. */
function flagsOf(prefix: string): string[] {
  const given = process.argv.find((arg) => arg.startsWith(prefix));
  return given ? given.slice(prefix.length).split(',').filter(Boolean) : [];
}

const path = option('path', '/profile');
const rounds = Math.min(Number(option('rounds', '8')), MAX_ROUNDS);
const seconds = Math.min(Number(option('seconds', '4')), MAX_SECONDS);
const sessions = Math.min(Number(option('sessions', '1')), 1000);
const variants = (['a', 'b'] as const).map((name) => ({
  name: name.toUpperCase(),
  build: option(`${name}-build`, 'dist'),
  env: envOf(option(`${name}-env`, '')),
  nodeFlags: flagsOf(`--${name}-flags=`),
}));
const withApi = process.argv.includes('--api');
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Variant {
  name: string;
  stack: AppStack;
  cookies: string[];
  results: LoadResult[];
}

const describe = (result: { rps: number; cpuMicrosPerRequest: number }) =>
  `${result.rps.toFixed(0)} req/s, ${result.cpuMicrosPerRequest.toFixed(0)} µs CPU/request`;

const tls = await benchTls();
const running: Variant[] = [];
try {
  for (const { name, build, env, nodeFlags } of variants) {
    log(`${name}: node ${nodeFlags.join(' ')} ${build}/server.js ${JSON.stringify(env)}`);
    const stack = await startAppStack(`ab-${name}`, { tls, build, env, withApi, nodeFlags });
    const variant: Variant = { name, stack, cookies: [], results: [] };
    running.push(variant);
    if (path !== '/')
      variant.cookies = await createSessions(stack.app.origin, stack.provider.origin, {
        count: sessions,
        concurrency: 4,
        deadline: Date.now() + 60_000,
      });
  }
  const run = (variant: Variant, time: number) =>
    load(variant.stack.app, { path, connections: fullRun.connections, seconds: time, cookies: variant.cookies });
  for (const variant of running) await run(variant, 2);
  for (let round = 0; round < rounds; round += 1) {
    for (const variant of round % 2 === 0 ? running : [...running].reverse()) {
      const result = await run(variant, seconds);
      if (result.non2xx + result.errors + result.timeouts > 0) throw new Error(`${variant.name}: failed requests`);
      variant.results.push(result);
    }
    log(
      `round ${round + 1}: ${running.map((variant) => `${variant.name} ${describe(variant.results.at(-1) ?? { rps: 0, cpuMicrosPerRequest: 0 })}`).join(' | ')}`,
    );
  }
  const medians = running.map(({ name, results }) => ({
    name,
    rps: median(results.map((result) => result.rps)),
    cpuMicrosPerRequest: median(results.map((result) => result.cpuMicrosPerRequest)),
    p99: median(results.map((result) => result.p99)),
  }));
  for (const variant of medians) log(`median ${variant.name}: ${describe(variant)}, p99 ${variant.p99} ms`);
  const [a, b] = medians;
  if (a && b)
    log(
      `B/A: req/s ${(b.rps / a.rps).toFixed(3)}x, CPU/request ${(b.cpuMicrosPerRequest / a.cpuMicrosPerRequest).toFixed(3)}x`,
    );
} finally {
  for (const variant of running) await variant.stack.stop().catch(() => undefined);
  await tls.remove();
}
