import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
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
  /** The discovery document, fetched once and cached; a failed fetch is not cached, so the next call retries. */
  discovery(): Promise<DiscoveryDocument>;
  /** The provider's signing keys (fetched on first use, refetched on an unknown `kid`). */
  signingKeys(): Promise<JWTVerifyGetKey>;
}

const CACHE_MS = 10 * 60 * 1000;

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
  let cached: { document: Promise<DiscoveryDocument>; fetchedAt: number } | undefined;
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
    if (!cached || Date.now() - cached.fetchedAt > CACHE_MS) {
      const document = fetchDiscovery();
      cached = { document, fetchedAt: Date.now() };
      document.catch(() => {
        if (cached?.document === document) cached = undefined;
      });
    }
    return cached.document;
  }

  return {
    discovery,
    async signingKeys() {
      const { jwks_uri: jwksUri } = await discovery();
      if (keys?.jwksUri !== jwksUri) {
        keys = { jwksUri, getKey: createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: timeoutMs }) };
      }
      return keys.getKey;
    },
  };
}
