import { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { findDemoUserBySub } from './demo-users.js';

/**
 * The Management API scopes a signed-in user may be granted for themselves at Auth0 (the
 * `current_user` family): the only API this provider knows, as a fresh Auth0 tenant.
 */
export const MANAGEMENT_API_SCOPES = [
  'read:current_user',
  'update:current_user_metadata',
  'create:current_user_metadata',
] as const;

/** Auth0's Management API identifier, `https://{tenant}/api/v2/`. */
export function managementAudienceOf(issuer: string): string {
  return `${issuer}api/v2/`;
}

/** Auth0 adds its /userinfo URL to the audience of every API token granted with `openid`. */
export function userinfoAudienceOf(issuer: string): string {
  return `${issuer}userinfo`;
}

export interface AccessTokenSettings {
  issuer: string;
  accessTokenTtlSeconds: number;
  rolesClaim: string;
}

type ResourceIndicators = NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>;
type JwtCustomizer = NonNullable<NonNullable<NonNullable<Configuration['formats']>['customizers']>['jwt']>;

/**
 * Auth0's `audience` parameter, mapped onto oidc-provider's resource indicators: an authorization
 * request with `audience` gets an access token for that API (a JWT), one without it keeps the opaque
 * token that only /userinfo accepts. An audience this tenant does not know is refused as Auth0 refuses
 * it (`access_denied`, "Service not found"). Refreshes keep the audience granted at sign-in.
 */
export function resourceIndicatorsFeature({ issuer, accessTokenTtlSeconds }: AccessTokenSettings): ResourceIndicators {
  const managementAudience = managementAudienceOf(issuer);
  return {
    enabled: true,
    defaultResource(ctx, _client, oneOf) {
      if (oneOf) return oneOf;
      const { audience } = ctx.oidc.params as { audience?: unknown };
      return typeof audience === 'string' && audience !== '' ? audience : undefined;
    },
    useGrantedResource: () => true,
    getResourceServerInfo(_ctx, resourceIndicator) {
      if (resourceIndicator !== managementAudience)
        throw new errors.AccessDenied(`Service not found: ${resourceIndicator}`);
      return {
        scope: MANAGEMENT_API_SCOPES.join(' '),
        accessTokenFormat: 'jwt',
        accessTokenTTL: accessTokenTtlSeconds,
        jwt: { sign: { alg: 'RS256' } },
      };
    },
  };
}

/**
 * Shapes the API access token as Auth0 issues it: both audiences (the API and /userinfo), `azp`, a
 * `scope` with the OpenID scopes as well as the API's, and what RBAC and a roles Action add (the
 * `permissions` claim and the namespaced roles claim).
 */
export function accessTokenCustomizer({ issuer, rolesClaim }: AccessTokenSettings): JwtCustomizer {
  const apiScopes = new Set<string>(MANAGEMENT_API_SCOPES);
  return (ctx: KoaContextWithOIDC, token, { payload }) => {
    if (!('accountId' in token)) return;
    const source = ctx.oidc.entities.RefreshToken ?? ctx.oidc.entities.AuthorizationCode;
    const granted = new Set(token.scope?.split(' '));
    const scopes = (source?.scope ?? '')
      .split(' ')
      .filter((scope) => scope && (!apiScopes.has(scope) || granted.has(scope)));
    const user = findDemoUserBySub(token.accountId);
    Object.assign(payload, {
      aud: [managementAudienceOf(issuer), userinfoAudienceOf(issuer)],
      azp: token.clientId,
      scope: scopes.join(' '),
      permissions: [...(user?.permissions ?? [])],
      [rolesClaim]: [...(user?.roles ?? [])],
    });
  };
}
