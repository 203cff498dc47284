/**
 * Bounds calls to a storage that may hang: each call fails after `timeoutMs`. When a call times
 * out and nothing has succeeded for that long either, the storage is stuck rather than slow, and
 * `onStuck` runs (the Redis store reconnects then; see redis-client.ts).
 */
export function createDeadline({ timeoutMs, onStuck = () => undefined, now = Date.now }: { timeoutMs: number; onStuck?: () => void; now?: () => number }) {
  let lastSuccessAt = now();
  return function withinDeadline<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (now() - lastSuccessAt >= timeoutMs) onStuck();
        reject(new Error(`the session store did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      work().then(
        (value) => {
          clearTimeout(timer);
          lastSuccessAt = now();
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error('the session store failed', { cause: error }));
        },
      );
    });
  };
}
