import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';

type Step = { remove: string } | { set: string; value: string } | { set: string; parts: string[] };

/** Stands in for a request or response: anything the recorded middleware reads beyond `allowed` fails loudly. */
function standIn<T extends object>(what: string, allowed: T): T {
  return new Proxy(allowed, {
    get(target, property, receiver) {
      if (!Reflect.has(target, property))
        throw new Error(
          `recordHeaders: the middleware reads ${what}.${String(property)}, so its headers may differ per request`,
        );
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

/**
 * Runs a header middleware (helmet) once, at start-up, against a response that records every
 * header it sets or removes, and returns what replays them on a real response, with `nonce`
 * wherever the middleware had put `res.locals.cspNonce`. Helmet stays the one place that decides
 * the headers; only its per-request work goes (eleven middleware calls, the CSP rebuilt and
 * validated each time). Throws at start-up if the middleware reads anything else from the
 * request or response (its headers could then differ per request), fails, does not finish
 * synchronously, or never uses the nonce.
 */
export function recordHeaders(middleware: RequestHandler): (res: Response, nonce: string) => void {
  // Random, so it cannot already occur in a header value (an origin, a path) by chance.
  const placeholder = `nonce${randomUUID().replaceAll('-', '')}`;
  const steps: Step[] = [];
  const res = standIn('res', {
    locals: { cspNonce: placeholder },
    setHeader(name: string, value: unknown) {
      if (typeof value !== 'string') throw new Error(`recordHeaders: ${name} is not a string`);
      const parts = value.split(placeholder);
      steps.push(parts.length > 1 ? { set: name, parts } : { set: name, value });
      return res;
    },
    removeHeader(name: string) {
      steps.push({ remove: name });
    },
  });
  let outcome: unknown = 'did not finish synchronously';
  middleware(
    standIn('req', {}) as unknown as Request,
    res as unknown as Response,
    (error?: unknown) => (outcome = error ?? 'done'),
  );
  if (outcome !== 'done')
    throw new Error(
      `recordHeaders: the middleware ${outcome instanceof Error ? `failed: ${outcome.message}` : String(outcome)}`,
    );
  if (!steps.some((step) => 'parts' in step)) throw new Error('recordHeaders: no header carries res.locals.cspNonce');

  return (response, nonce) => {
    for (const step of steps) {
      if ('remove' in step) response.removeHeader(step.remove);
      else response.setHeader(step.set, 'parts' in step ? step.parts.join(nonce) : step.value);
    }
  };
}
