/**
 * `npm run bench:heap` (add `-- --redis` for the Redis store): what holds the idle app's heap,
 * before anyone changes code to shrink it. Starts the production app against the benchmark's https
 * provider (a real external issuer, so nothing of the development provider is loaded), signs in
 * once, views each page a few times, collects garbage, writes a heap snapshot and prints the heap
 * split by module and its largest retainers (bench/heap-summary.ts). The snapshot stays in
 * bench/results/heap/; open it in Chrome DevTools (Memory tab) for the retainer paths.
 */
import { mkdirSync } from 'node:fs';
import { resultsDir } from './children.js';
import { formatHeap, summariseHeap } from './heap-summary.js';
import { restingMemory } from './memory.js';
import { redisForBench } from './redis.js';
import { benchTls, startAppStack } from './stacks.js';

const heapDir = `${resultsDir}/heap`;
const MiB = 1024 * 1024;

async function main(): Promise<void> {
  mkdirSync(heapDir, { recursive: true });
  const useRedis = process.argv.includes('--redis');
  // Another build (`-- --build dist-a`: a directory beside dist/), to compare two builds' heaps.
  const buildAt = process.argv.indexOf('--build');
  const build = buildAt >= 0 ? process.argv[buildAt + 1] : undefined;
  const redis = useRedis ? await redisForBench(process.env) : undefined;
  if (redis && 'skipped' in redis) throw new Error(`--redis: ${redis.skipped}`);
  const tls = await benchTls();
  try {
    const stack = await startAppStack('app-heap', { tls, build, env: redis ? { REDIS_URL: redis.url } : {} });
    try {
      const resting = await restingMemory(stack.app, true);
      const file = `${heapDir}/app-${redis ? 'redis' : 'memory'}-${new Date().toISOString().replace(/[:.]/g, '-')}.heapsnapshot`;
      await stack.app.heapSnapshot(file);
      process.stdout.write(
        `Idle app (${redis ? 'Redis' : 'in-memory'} store, one sign-in, after GC): heap ${(resting.heapUsed / MiB).toFixed(1)} MiB, RSS ${(resting.rss / MiB).toFixed(1)} MiB\n`,
      );
      process.stdout.write(`${formatHeap(summariseHeap(file))}Snapshot: ${file}\n`);
    } finally {
      await stack.stop();
    }
  } finally {
    await tls.remove();
    if (redis && 'stop' in redis) await redis.stop();
  }
}

await main();
