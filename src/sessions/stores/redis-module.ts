type NodeRedis = typeof import('@redis/client');

let loaded: NodeRedis | undefined;

/**
 * Loads node-redis's core client: about 3 MiB of heap that an app keeping its sessions in memory
 * never uses, so it is imported only when a Redis store is made (a chunk of its own in the build).
 * `@redis/client`, not the `redis` package: that one adds the commands of the RedisBloom,
 * RedisJSON, RediSearch and RedisTimeSeries modules to every client, which the app never sends.
 */
export async function loadNodeRedis(): Promise<void> {
  // A CommonJS package: its module.exports is the namespace's default under node's import() and
  // in the bundle, where esbuild's code splitting gives a dynamically imported CommonJS module no
  // named exports at all (evanw/esbuild#2047); a CommonJS caller gets module.exports as is.
  const imported: Partial<{ default: NodeRedis }> & NodeRedis = await import('@redis/client');
  loaded ??= imported.default ?? imported;
}

/** node-redis, once loadNodeRedis() has loaded it (createStoreBackends does, before any client is made). */
export function nodeRedis(): NodeRedis {
  if (!loaded) throw new Error('node-redis is not loaded yet: await loadNodeRedis() first');
  return loaded;
}
