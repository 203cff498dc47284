import type { RequestHandler } from 'express';
import { isHttpError } from 'http-errors';
import type { ProviderMetadata } from './provider-metadata.js';
import { describeProviderFailure } from './provider-errors.js';

/** A failure to reach the provider or to use its answer, as opposed to a refusal of this request. */
function isProviderFailure(error: unknown): error is Error {
  return error instanceof Error && !isHttpError(error) && describeProviderFailure(error) !== undefined;
}

/**
 * Hands a request to express-openid-connect (`openid`) only while the provider is believed
 * reachable. The library's discovery cache drops a failure at once (lib/client.js), so while the
 * provider is down every /login, /callback and signed-out visit to a guarded page would send it one
 * more discovery request. Our metadata remembers a failure for FAILURE_MEMORY_MS: it is consulted
 * first (from its cache while the provider is healthy), its failure goes straight to the error
 * page (503 "Sign-in service unreachable", or 502), and a failure of the library's own discovery
 * is reported back to it. A signed-in visitor passes straight through: the library calls the
 * provider only to start or finish a sign-in (a signed-in /login just goes back).
 */
export function providerFailFast(metadata: ProviderMetadata, openid: RequestHandler): RequestHandler {
  return (req, res, next) => {
    // The library calls this `next` a second time, with its error, when a sign-in fails later on.
    const reporting = (error?: unknown) => {
      if (isProviderFailure(error)) metadata.providerFailed(error);
      next(error);
    };
    if (res.locals.user) {
      void openid(req, res, reporting);
      return;
    }
    metadata.signInReady().then(
      () => void openid(req, res, reporting),
      (error: unknown) => {
        next(error);
      },
    );
  };
}
