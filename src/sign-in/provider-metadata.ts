import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  type FetchImplementation,
  type JWTVerifyGetKey,
} from 'jose';
import * as v from 'valibot';
import { userError } from '../errors.js';

/**
 * A URL in a provider's document, kept as the URL parser reads it: trimmed, and without the tabs
 * and newlines the parser deletes, so that the string kept is the URL that was checked.
 */
export const documentUrl = v.pipe(
  v.string(),
  v.trim(),
  v.transform((value) => value.replace(/[\t\n\r]/g, '')),
  v.url(),
);

export const discoverySchema = v.looseObject({
  issuer: v.pipe(v.string(), v.minLength(1)),
  jwks_uri: documentUrl,
  end_session_endpoint: v.optional(documentUrl),
});

export type DiscoveryDocument = v.InferOutput<typeof discoverySchema>;

export interface ProviderMetadata {
  /**
   * The discovery document, fetched once and refreshed every 10 minutes. When a refresh fails, the
   * last good document goes on being served (the provider's metadata rarely changes; its outage
   * should not be ours). Without one, a failed fetch is remembered for FAILURE_MEMORY_MS: calls
   * meanwhile get the same failure at once, then the next one retries.
   */
  discovery(): Promise<DiscoveryDocument>;
  /**
   * The provider's signing keys (fetched on first use, refetched on an unknown `kid` by jose, at
   * most every 30 s, and every 10 minutes). A failed key-set fetch is remembered like a failed
   * discovery; meanwhile the keys last fetched go on being used, and a token they cannot check
   * gets KeySetUnavailable, without a call to the provider.
   */
  signingKeys(): Promise<JWTVerifyGetKey>;
  /**
   * Resolves when a sign-in may be handed to express-openid-connect: the discovery document is at
   * hand, and the library's own discovery has not failed within FAILURE_MEMORY_MS (rejects with
   * that failure then).
   */
  signInReady(): Promise<void>;
  /**
   * express-openid-connect's own discovery (which forgets its failures at once) could not reach
   * the provider or use its answer: sign-ins fail at once for FAILURE_MEMORY_MS (signInReady),
   * rather than each sending the provider one more request. Our own document is untouched.
   */
  providerFailed(error: Error): void;
}

const CACHE_MS = 10 * 60 * 1000;
/**
 * How long a failed discovery or key-set fetch is remembered. While the provider is down, a flood
 * of logout tokens or sign-ins then costs it one request per window instead of one per request,
 * and callers fail at once instead of waiting for their own timeout; a recovered provider is
 * noticed within this time.
 */
export const FAILURE_MEMORY_MS = 5000;

/** The provider's key set could not be fetched or was not one: says nothing about the token being checked. */
export class KeySetUnavailable extends Error {
  override name = 'KeySetUnavailable';
}

/** A settled-later promise that never counts as an unhandled rejection: every caller handles its own copy. */
function quietly<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * jose's fetch for one key set, remembering a failure for FAILURE_MEMORY_MS (jose itself refetches
 * on every call after one). A failure is no answer, an error status, or a body that is not a JWK
 * set; a valid set that merely lacks the token's `kid` is an answer, and jose's own cooldown
 * governs refetching it.
 */
function keySetFetch(): FetchImplementation {
  let failure: { error: KeySetUnavailable; until: number } | undefined;
  return async (url, options) => {
    if (failure && Date.now() < failure.until) throw failure.error;
    try {
      const response = await fetch(url, options);
      if (response.status !== 200) throw new Error(`the key set answered HTTP ${response.status}`);
      const body = await response.text();
      const json: unknown = JSON.parse(body);
      if (typeof json !== 'object' || json === null || !Array.isArray((json as { keys?: unknown }).keys))
        throw new Error('the key set answer is not a JWK set');
      failure = undefined;
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
    } catch (cause) {
      const error = new KeySetUnavailable('the provider key set could not be fetched', { cause });
      failure = { error, until: Date.now() + FAILURE_MEMORY_MS };
      throw error;
    }
  };
}

/**
 * When the key set cannot be refreshed (jose refetches it every 10 minutes, and a failed refetch
 * fails the token at hand), the keys last fetched still check tokens they know: a provider's
 * moment of trouble must not refuse its own logout tokens and sign-ins. A token under another key
 * still gets KeySetUnavailable.
 */
function withLastKeys(remote: ReturnType<typeof createRemoteJWKSet>): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      const last = remote.jwks();
      if (!(error instanceof KeySetUnavailable) || !last) throw error;
      try {
        return await createLocalJWKSet(last)(header, token);
      } catch {
        throw error;
      }
    }
  };
}

/** Where OpenID Connect Discovery 1.0 puts the document, for an issuer with or without a trailing slash. */
export function discoveryUrlOf(issuerBaseURL: string): URL {
  return new URL('.well-known/openid-configuration', issuerBaseURL.endsWith('/') ? issuerBaseURL : `${issuerBaseURL}/`);
}

/** Network failures stay as they are (describeError calls them "unreachable"); a bad answer is a 502. */
const unusableAnswer = (cause: unknown) =>
  userError(
    502,
    'Sign-in service error',
    'The sign-in service gave an unexpected answer. Please try again in a moment.',
    {
      retrySignIn: true,
      cause,
    },
  );

/**
 * Our own view of the provider's metadata, beside express-openid-connect's private one: we need
 * the JWKS to check ID token signatures (the library does not, in the code flow) and the
 * end-session endpoint to log out without depending on the library's logout (which fails before
 * clearing the session when the provider is down).
 */
export function createProviderMetadata(issuerBaseURL: string, timeoutMs: number): ProviderMetadata {
  const discoveryUrl = discoveryUrlOf(issuerBaseURL);
  let good: { document: DiscoveryDocument; freshUntil: number } | undefined;
  // One fetch at a time; a failed one is kept (and answered) until `retryAt`.
  let fetching: { document: Promise<DiscoveryDocument>; retryAt: number } | undefined;
  let signInFailure: { error: Error; until: number } | undefined;
  let keys: { jwksUri: string; getKey: JWTVerifyGetKey } | undefined;

  async function fetchDiscovery(): Promise<DiscoveryDocument> {
    const response = await fetch(discoveryUrl, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw unusableAnswer(new Error(`discovery answered HTTP ${response.status}`));
    try {
      return v.parse(discoverySchema, await response.json());
    } catch (error) {
      throw unusableAnswer(error);
    }
  }

  function refresh(): Promise<DiscoveryDocument> {
    if (fetching && Date.now() < fetching.retryAt) return fetching.document;
    // Open-ended while in flight (the fetch is bounded by timeoutMs), so concurrent calls share it.
    const entry = { document: quietly(fetchDiscovery()), retryAt: Number.POSITIVE_INFINITY };
    entry.document.then(
      (document) => {
        good = { document, freshUntil: Date.now() + CACHE_MS };
        if (fetching === entry) fetching = undefined;
      },
      () => {
        entry.retryAt = Date.now() + FAILURE_MEMORY_MS;
      },
    );
    fetching = entry;
    return entry.document;
  }

  function discovery(): Promise<DiscoveryDocument> {
    if (good && Date.now() < good.freshUntil) return Promise.resolve(good.document);
    const refreshed = refresh();
    // Stale but usable: answer now, and let the refresh (or its remembered failure) run its course.
    return good ? Promise.resolve(good.document) : refreshed;
  }

  return {
    discovery,
    async signingKeys() {
      const { jwks_uri: jwksUri } = await discovery();
      if (keys?.jwksUri !== jwksUri)
        keys = {
          jwksUri,
          getKey: withLastKeys(
            createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: timeoutMs, [customFetch]: keySetFetch() }),
          ),
        };
      return keys.getKey;
    },
    async signInReady() {
      if (signInFailure && Date.now() < signInFailure.until) throw signInFailure.error;
      await discovery();
    },
    providerFailed(error) {
      signInFailure = { error, until: Date.now() + FAILURE_MEMORY_MS };
    },
  };
}
