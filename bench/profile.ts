/**
 * `npm run bench:profile -- /profile` (or `/`): CPU profile of the production app under one
 * load, for finding where request time goes before optimising. Starts the app with --cpu-prof,
 * signs in once, loads the path for 10 s at the benchmark's connections, stops the app (which writes the
 * profile) and prints where the self time went. The raw .cpuprofile (open it in Chrome DevTools)
 * stays in bench/results/profiles/. Then loads the baseline the same way, for a rough ratio.
 */
import { mkdirSync } from 'node:fs';
import { resultsDir } from './children.js';
import { createSessions } from './logins.js';
import { load } from './load.js';
import { formatProfile, newestMainThreadProfile, summariseProfile } from './profile-summary.js';
import { fullRun } from './settings.js';
import { benchTls, startAppStack, startBaseline } from './stacks.js';

const path = process.argv[2] ?? '/profile';
const seconds = Number(process.argv[3] ?? 10);
const profileDir = `${resultsDir}/profiles`;
const baselineProfileDir = `${resultsDir}/profiles/baseline`;

async function main(): Promise<void> {
  mkdirSync(baselineProfileDir, { recursive: true });
  const tls = await benchTls();
  const stack = await startAppStack('app-profile', { tls, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
  try {
    const cookies = await createSessions(stack.app.origin, stack.provider.origin, {
      count: 1,
      concurrency: 1,
      deadline: Date.now() + 30_000,
    });
    const options = { path, connections: fullRun.connections, seconds, cookies: path === '/' ? [] : cookies };
    // The baseline right after, profiled too, for a rough ratio (the full benchmark alternates
    // several rounds) and to compare where both spend their time.
    const baseline = await startBaseline(stack.provider.origin, ['--cpu-prof', `--cpu-prof-dir=${baselineProfileDir}`]);
    for (const target of [stack.app, baseline]) {
      const result = await load(target, options);
      process.stdout.write(
        `${target.name} ${path}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, CPU ${result.cpuMicrosPerRequest.toFixed(0)} µs/request, non-2xx ${result.non2xx}\n`,
      );
      if (target !== stack.app) await target.stop();
    }
  } finally {
    await stack.stop();
    await tls.remove();
  }
  const profile = newestMainThreadProfile(profileDir);
  if (!profile) throw new Error(`no profile written in ${profileDir}`);
  process.stdout.write(`${formatProfile(summariseProfile(profile, 30))}${profile}\n`);
  const baselineProfile = newestMainThreadProfile(baselineProfileDir);
  if (baselineProfile)
    process.stdout.write(`baseline: ${formatProfile(summariseProfile(baselineProfile, 15))}${baselineProfile}\n`);
}

await main();
