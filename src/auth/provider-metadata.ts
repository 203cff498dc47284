import { createRemoteJWKSet, customFetch, type FetchImplementation, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { userError } from '../errors.js';

export const discoverySchema = z
  .object({
    issuer: z.string().min(1),
    jwks_uri: z.url(),
    end_session_endpoint: z.url().optional(),
  })
  .loose();

export type DiscoveryDocument = z.infer<typeof discoverySchema>;

export interface ProviderMetadata {
  /**
   * The discovery document, fetched once and cached for 10 minutes. A failed fetch is remembered
   * for FAILURE_MEMORY_MS: calls meanwhile get the same failure at once, then the next one retries.
   */
  discovery(): Promise<DiscoveryDocument>;
  /**
   * The provider's signing keys (fetched on first use, refetched on an unknown `kid` by jose, at
   * most every 30 s). A failed key-set fetch is remembered like a failed discovery, and the getter
   * then throws KeySetUnavailable without calling the provider.
   */
  signingKeys(): Promise<JWTVerifyGetKey>;
  /**
   * Another client of the same provider (express-openid-connect's own discovery, which forgets its
   * failures at once) could not reach it or use its answer: remembered as a failed discovery, so
   * callers that consult this metadata first stop sending requests there for FAILURE_MEMORY_MS.
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
      if (typeof json !== 'object' || json === null || !Array.isArray((json as { keys?: unknown }).keys)) throw new Error('the key set answer is not a JWK set');
      failure = undefined;
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
    } catch (cause) {
      const error = new KeySetUnavailable('the provider key set could not be fetched', { cause });
      failure = { error, until: Date.now() + FAILURE_MEMORY_MS };
      throw error;
    }
  };
}

/** Where OpenID Connect Discovery 1.0 puts the document, for an issuer with or without a trailing slash. */
export function discoveryUrlOf(issuerBaseURL: string): URL {
  return new URL('.well-known/openid-configuration', issuerBaseURL.endsWith('/') ? issuerBaseURL : `${issuerBaseURL}/`);
}

/** Network failures stay as they are (describeError calls them "unreachable"); a bad answer is a 502. */
const unusableAnswer = (cause: unknown) =>
  userError(502, 'Sign-in service error', 'The sign-in service gave an unexpected answer. Please try again in a moment.', {
    retrySignIn: true,
    cause,
  });

/**
 * Our own view of the provider's metadata, beside express-openid-connect's private one: we need
 * the JWKS to check ID token signatures (the library does not, in the code flow) and the
 * end-session endpoint to log out without depending on the library's logout (which fails before
 * clearing the session when the provider is down).
 */
export function createProviderMetadata(issuerBaseURL: string, timeoutMs: number): ProviderMetadata {
  const discoveryUrl = discoveryUrlOf(issuerBaseURL);
  // `expiresAt` is open while a fetch is in flight (it is bounded by timeoutMs), so concurrent calls share it.
  let cached: { document: Promise<DiscoveryDocument>; expiresAt: number } | undefined;
  let keys: { jwksUri: string; getKey: JWTVerifyGetKey } | undefined;

  async function fetchDiscovery(): Promise<DiscoveryDocument> {
    const response = await fetch(discoveryUrl, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw unusableAnswer(new Error(`discovery answered HTTP ${response.status}`));
    try {
      return discoverySchema.parse(await response.json());
    } catch (error) {
      throw unusableAnswer(error);
    }
  }

  function discovery(): Promise<DiscoveryDocument> {
    if (!cached || Date.now() >= cached.expiresAt) {
      const entry = { document: fetchDiscovery(), expiresAt: Number.POSITIVE_INFINITY };
      entry.document.then(
        () => {
          entry.expiresAt = Date.now() + CACHE_MS;
        },
        () => {
          entry.expiresAt = Date.now() + FAILURE_MEMORY_MS;
        },
      );
      cached = entry;
    }
    return cached.document;
  }

  return {
    discovery,
    async signingKeys() {
      const { jwks_uri: jwksUri } = await discovery();
      if (keys?.jwksUri !== jwksUri) {
        keys = { jwksUri, getKey: createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: timeoutMs, [customFetch]: keySetFetch() }) };
      }
      return keys.getKey;
    },
    providerFailed(error) {
      cached = { document: quietly(Promise.reject(error)), expiresAt: Date.now() + FAILURE_MEMORY_MS };
    },
  };
}
