/**
 * `npm run bench:layers -- /profile` (or `/`): where the app's synchronous request time goes,
 * middleware by middleware (bench/layer-timing.ts preloaded into the production app), under the
 * benchmark's load. Cheaper to read than a CPU profile, and it names our own layers; what it
 * cannot see (the HTTP parser, socket writes, garbage collection) is the rest of the CPU figure.
 * It runs its own build of the app (bench/results/layers-app): the production build with Express's
 * `router` package left out of the bundle, so the preload times the very Layer the app uses (in
 * dist/ it is a bundled copy no preload can reach).
 */
import { readFileSync, rmSync } from 'node:fs';
import type { Plugin } from 'esbuild';
import { setTimeout as sleep } from 'node:timers/promises';
import { childBuildDir, resultsDir } from './children.js';
import { createSessions } from './logins.js';
import { load } from './load.js';
import { fullRun } from './settings.js';
import { benchTls, startAppStack } from './stacks.js';
import { buildApp } from '../scripts/build.js';

const path = process.argv[2] ?? '/profile';
const seconds = Number(process.argv[3] ?? 10);
const output = `${resultsDir}/layer-timing.txt`;

/** Express's router loaded from node_modules, where the preload patches its Layer. */
const routerFromNodeModules: Plugin = {
  name: 'router-from-node-modules',
  setup(build) {
    build.onResolve({ filter: /^router$/ }, () => ({ path: 'router', external: true }));
  },
};

async function main(): Promise<void> {
  const build = `${resultsDir}/layers-app`;
  await buildApp(build, { plugins: [routerFromNodeModules] });
  const tls = await benchTls();
  const stack = await startAppStack('app-layers', {
    tls,
    build,
    nodeFlags: ['--import', `${childBuildDir}/bench/layer-timing.js`],
    env: { LAYER_TIMING_FILE: output },
  });
  try {
    const cookies = await createSessions(stack.app.origin, stack.provider.origin, {
      count: 1,
      concurrency: 1,
      deadline: Date.now() + 30_000,
    });
    const options = { path, connections: fullRun.connections, cookies: path === '/' ? [] : cookies };
    await load(stack.app, { ...options, seconds: fullRun.warmupSeconds });
    const written = async () => {
      rmSync(output, { force: true });
      stack.app.process.kill('SIGUSR2');
      for (let tries = 0; tries < 50; tries += 1) {
        try {
          return readFileSync(output, 'utf8');
        } catch {
          await sleep(20);
        }
      }
      throw new Error(`the app wrote no ${output}`);
    };
    await written();
    const result = await load(stack.app, { ...options, seconds });
    const table = await written();
    if (!/ µs {2}/.test(table)) throw new Error('no Express layer was timed: is the router still bundled?');
    process.stdout.write(
      `${path}: ${result.rps.toFixed(0)} req/s, CPU ${result.cpuMicrosPerRequest.toFixed(0)} µs/request\n${table}`,
    );
  } finally {
    await stack.stop();
    await tls.remove();
  }
}

await main();
