/** The rejection of `withinTime` when time ran out (as opposed to the promise's own failure). */
export class TimeLimitError extends Error {
  override name = 'TimeLimitError';
}

/**
 * Rejects with a TimeLimitError if `promise` has not settled within `ms`. The promise itself keeps
 * running (nothing here can cancel it); a late rejection is still handled, by the race.
 */
export function withinTime<T>(promise: Promise<T>, ms: number, what = 'an answer'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new TimeLimitError(`no ${what} within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/**
 * Whether a failed outbound call ran out of time (or was cut short): fetch rejects with a
 * TimeoutError when its `AbortSignal.timeout` fires and an AbortError when aborted otherwise, and
 * openid-client wraps both in an error whose code is OAUTH_TIMEOUT or OAUTH_ABORT.
 */
export function ranOutOfTime(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true;
  const code = (error as { code?: unknown }).code;
  return code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT';
}
