import { createRequire } from 'node:module';

type NodeRedis = typeof import('redis');

const require = createRequire(import.meta.url);

/**
 * node-redis, loaded the first time a Redis client is made: about 4 MiB of heap that an app
 * keeping its sessions in memory never uses. It ships CommonJS, so loading it stays synchronous.
 */
export function nodeRedis(): NodeRedis {
  return require('redis') as NodeRedis;
}
