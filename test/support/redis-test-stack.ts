import { startRedisServer, type RedisServer } from './redis-server.js';
import { startTestStack, type TestStack, type TestStackOptions } from './test-stack.js';

export interface RedisTestStack {
  redis: RedisServer;
  stack: TestStack;
  /** Stops the stack, then Redis. */
  close(): Promise<void>;
}

/**
 * A test stack whose instances keep their sessions in a redis-server of its own (REDIS_URL is
 * set; `options.env` adds to it). If the stack fails to start, Redis is stopped before the error
 * is passed on, so no redis-server outlives a failed set-up.
 */
export async function startRedisTestStack(options: TestStackOptions = {}): Promise<RedisTestStack> {
  const redis = await startRedisServer();
  try {
    const stack = await startTestStack({ ...options, env: { REDIS_URL: redis.url, ...options.env } });
    return {
      redis,
      stack,
      close: async () => {
        try {
          await stack.close();
        } finally {
          await redis.close();
        }
      },
    };
  } catch (error) {
    await redis.close();
    throw error;
  }
}
