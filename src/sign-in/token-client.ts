import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import type { SessionTokens } from '../sessions/index.js';
import { isLoopbackUrl } from '../loopback.js';
import type { ProviderMetadata } from './provider-metadata.js';

/** What the app asks of the provider's token and revocation endpoints once a user has signed in. */
export interface TokenClient {
  /** Redeems a refresh token; rejects with RefreshRefused when the provider will not (the user must sign in again). */
  refresh(refreshToken: string): Promise<SessionTokens>;
  /** Revokes a refresh token at the provider (its revocation endpoint), bounded in time. */
  revoke(refreshToken: string): Promise<void>;
}

/** The provider refused the refresh token (`invalid_grant`: revoked, expired, reused): no retry can help. */
export class RefreshRefused extends Error {
  override name = 'RefreshRefused';
}

/** At most this many permissions are kept from an access token, each at most this long: more is a token padded on purpose. */
const MAX_PERMISSIONS = 200;
const MAX_PERMISSION_LENGTH = 200;

/** The `permissions` claim of a JWT access token (Auth0 RBAC), if it has one; an opaque token has none. */
export function permissionsOf(accessToken: string): string[] | undefined {
  try {
    const { permissions } = decodeJwt(accessToken);
    if (!Array.isArray(permissions)) return undefined;
    return permissions
      .filter(
        (entry): entry is string =>
          typeof entry === 'string' && entry.length > 0 && entry.length <= MAX_PERMISSION_LENGTH,
      )
      .slice(0, MAX_PERMISSIONS);
  } catch {
    return undefined;
  }
}

/**
 * The provider's token endpoint through openid-client (the library express-openid-connect itself
 * uses), configured from the discovery document the app already keeps. Every call is bounded by
 * PROVIDER_TIMEOUT_MS.
 */
export function createTokenClient(
  metadata: ProviderMetadata,
  client: { clientID: string; clientSecret: string; issuerBaseURL: string },
  timeoutMs: number,
): TokenClient {
  let configured: { document: unknown; configuration: oidc.Configuration } | undefined;

  async function configuration(): Promise<oidc.Configuration> {
    const document = await metadata.discovery();
    if (configured?.document !== document) {
      const configuration = new oidc.Configuration(
        document as oidc.ServerMetadata,
        client.clientID,
        undefined,
        oidc.ClientSecretBasic(client.clientSecret),
      );
      configuration.timeout = Math.ceil(timeoutMs / 1000);
      // config.ts accepts plain http for a provider on this machine only (the embedded one).
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- deprecated only to stand out, as here: loopback only
      if (isLoopbackUrl(client.issuerBaseURL)) oidc.allowInsecureRequests(configuration);
      configured = { document, configuration };
    }
    return configured.configuration;
  }

  return {
    async refresh(refreshToken) {
      let response: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
      try {
        response = await oidc.refreshTokenGrant(await configuration(), refreshToken);
      } catch (error) {
        if (error instanceof oidc.ResponseBodyError && error.error === 'invalid_grant')
          throw new RefreshRefused('the provider refused the refresh token', { cause: error });
        throw error;
      }
      const expiresIn = response.expiresIn() ?? 0;
      return {
        accessToken: response.access_token,
        expiresAt: Math.floor(Date.now() / 1000) + expiresIn,
        // Without rotation the provider sends none back: the one used stays valid.
        refreshToken: response.refresh_token ?? refreshToken,
        permissions: permissionsOf(response.access_token),
      };
    },
    async revoke(refreshToken) {
      await oidc.tokenRevocation(await configuration(), refreshToken, { token_type_hint: 'refresh_token' });
    },
  };
}
