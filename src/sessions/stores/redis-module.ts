import { createRequire } from 'node:module';

type NodeRedis = typeof import('@redis/client');

const require = createRequire(import.meta.url);

/**
 * node-redis's core client, loaded the first time a Redis client is made: about 4 MiB of heap
 * that an app keeping its sessions in memory never uses. It ships CommonJS, so loading it stays
 * synchronous. `@redis/client`, not the `redis` package: that one adds the commands of the
 * RedisBloom, RedisJSON, RediSearch and RedisTimeSeries modules to every client, which the
 * app never sends (about 1 MiB more heap).
 */
export function nodeRedis(): NodeRedis {
  return require('@redis/client') as NodeRedis;
}
