import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';

/**
 * express-openid-connect swallows a failed store read and carries on as if the visitor were
 * anonymous: it would redirect them to sign in, clear their cookie and delete their session at
 * the end of the response. The store calls carry no request, so the store notes the failure in
 * this request-scoped record instead; the app then answers 503 (middleware/session-unavailable.ts)
 * and the store refuses to write or delete the session it could not read.
 */
interface ReadOutcome {
  failedId?: string;
  error?: unknown;
}

const outcomes = new AsyncLocalStorage<ReadOutcome>();

/** Mounted before auth(): gives every request its own record of a failed session read. */
export function trackSessionReads(): RequestHandler {
  return (_req, _res, next) => {
    outcomes.run({}, next);
  };
}

export function noteFailedRead(id: string, error: unknown): void {
  const outcome = outcomes.getStore();
  if (!outcome) return;
  outcome.failedId = id;
  outcome.error = error;
}

/** The current request's failed session read, if any: `{ error }` says why. */
export function failedSessionRead(): { error: unknown } | undefined {
  const outcome = outcomes.getStore();
  return outcome?.failedId === undefined ? undefined : { error: outcome.error };
}

/** True when the current request could not read this session: it must be neither written nor deleted. */
export function readFailedFor(id: string): boolean {
  return outcomes.getStore()?.failedId === id;
}
