import { TimeLimitError, withinTime } from '../time-limit.js';

/**
 * Bounds calls to a storage that may hang: each call fails after `timeoutMs`. When a call times
 * out and nothing has succeeded for that long either, the storage is stuck rather than slow, and
 * `onStuck` runs (the Redis store reconnects then; see redis-client.ts).
 */
export function createDeadline({
  timeoutMs,
  onStuck = () => undefined,
  now = Date.now,
}: {
  timeoutMs: number;
  onStuck?: () => void;
  now?: () => number;
}) {
  let lastSuccessAt = now();
  return async function withinDeadline<T>(work: () => Promise<T>): Promise<T> {
    try {
      const value = await withinTime(work(), timeoutMs, 'answer from the session store');
      lastSuccessAt = now();
      return value;
    } catch (error) {
      if (error instanceof TimeLimitError && now() - lastSuccessAt >= timeoutMs) onStuck();
      throw error instanceof Error ? error : new Error('the session store failed', { cause: error });
    }
  };
}
