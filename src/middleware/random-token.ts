import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;

/**
 * Random tokens from the operating system's CSPRNG, drawn in 4 KB batches: one system call per
 * 256 CSP nonces instead of one per request (Node's randomUUID pools the same way). Every byte is
 * handed out once and the pool is refilled, never reused.
 */
export function createRandomTokens(): (bytes: number) => string {
  const pool = Buffer.alloc(POOL_BYTES);
  let offset = POOL_BYTES;
  return (bytes) => {
    if (bytes > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} random bytes per token`);
    if (offset + bytes > POOL_BYTES) {
      randomFillSync(pool);
      offset = 0;
    }
    const token = pool.toString('base64', offset, offset + bytes);
    offset += bytes;
    return token;
  };
}
