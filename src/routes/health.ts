import { Router, type Response } from 'express';
import type { Logger } from 'pino';
import type { ProviderMetadata } from '../sign-in/provider-metadata.js';
import type { ExpressSessionStore } from '../sessions/index.js';
import type { Lifecycle } from '../process/lifecycle.js';
import { serializeError } from '../logger.js';
import { withinTime } from '../time-limit.js';

/** Probes give up after a second or so (Kubernetes' default timeout is 1 s): answer before that. */
const CHECK_TIMEOUT_MS = 800;

interface Deps {
  metadata: ProviderMetadata;
  sessionStore: ExpressSessionStore;
  lifecycle: Lifecycle;
  logger: Logger;
}

type CheckName = 'provider' | 'sessionStore';

/**
 * GET /healthz (liveness: the process serves requests) and GET /readyz (readiness: the provider's
 * discovery document is cached or can be fetched, and the session store answers; 503 from the
 * moment shutdown begins). Mounted before sessions, so a probe never reads or creates one. The
 * bodies say only "ok" or "failing": no versions, hosts or error text; the reason goes to the log.
 */
export function health({ metadata, sessionStore, lifecycle, logger }: Deps): Router {
  const router = Router();
  const checks: Record<CheckName, () => Promise<unknown>> = {
    // Served from the discovery cache (10 minutes) once fetched, so probes cost the provider nothing.
    provider: () => metadata.discovery(),
    sessionStore: () => sessionStore.ping?.() ?? Promise.resolve(),
  };
  let wasReady: boolean | undefined;

  router.get('/healthz', (_req, res) => {
    answer(res, 200, { status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    if (lifecycle.stopping) {
      answer(res, 503, { status: 'stopping' });
      return;
    }
    const names = Object.keys(checks) as CheckName[];
    // Through .then, so a check that throws instead of rejecting is a failing check, not a 500.
    const outcomes = await Promise.allSettled(
      names.map((name) => withinTime(Promise.resolve().then(checks[name]), CHECK_TIMEOUT_MS)),
    );
    const failures: Partial<Record<CheckName, unknown>> = {};
    outcomes.forEach((outcome, index) => {
      const name = names[index];
      // Nested under `errors`, out of reach of pino's `err` serializer: serialised here the same way.
      if (name && outcome.status === 'rejected') failures[name] = serializeError(outcome.reason);
    });
    const ready = Object.keys(failures).length === 0;
    // Log changes only: a probe polls every few seconds, and an outage is one event, not thousands.
    if (ready !== wasReady) {
      if (ready) logger.info({ event: 'readiness.ready' }, 'ready');
      else logger.warn({ event: 'readiness.not_ready', failing: Object.keys(failures), errors: failures }, 'not ready');
      wasReady = ready;
    }
    const status = Object.fromEntries(names.map((name) => [name, name in failures ? 'failing' : 'ok']));
    answer(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: status });
  });

  return router;
}

function answer(res: Response, status: number, body: object): void {
  res.status(status).setHeader('Cache-Control', 'no-store');
  res.json(body);
}
