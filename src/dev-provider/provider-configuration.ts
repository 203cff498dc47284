import { randomBytes } from 'node:crypto';
import ejs from 'ejs';
import type { Configuration, JWK, KoaContextWithOIDC } from 'oidc-provider';
import {
  accessTokenCustomizer,
  managementAudienceOf,
  MANAGEMENT_API_SCOPES,
  resourceIndicatorsFeature,
} from './access-tokens.js';
import { devProviderFetch } from './backchannel-fetch.js';
import { demoUserClaims, findDemoUserBySub } from './demo-users.js';
import { viewsDir } from './files.js';
import { impliedConsentPolicy } from './offline-access.js';
import { REFRESH_TOKEN_ABSOLUTE_SECONDS, refreshTokenTtl } from './refresh-tokens.js';
import { scopeClaims } from './scope-claims.js';

interface Options {
  issuer: string;
  client: { clientID: string; clientSecret: string; appBaseURL: string };
  signingKey: JWK;
  /** Puts `session_expiry` (epoch seconds, this long after issue) in ID tokens, as Auth0 does for IPSIE connections. */
  sessionExpirySeconds?: number;
  accessTokenTtlSeconds: number;
  rolesClaim: string;
}

function render(ctx: KoaContextWithOIDC, view: string, data: Record<string, unknown>): Promise<void> {
  return ejs.renderFile(`${viewsDir}/${view}.ejs`, data).then((html) => {
    ctx.type = 'html';
    ctx.body = html;
  });
}

/**
 * oidc-provider settings that make it behave like an Auth0 tenant for one first-party
 * "Regular Web Application": Auth0's paths, profile claims in the ID token, consent implied,
 * PKCE required, exact redirect and logout URLs, back-channel logout to the app, the Management API
 * as the one API (`audience`), refresh tokens with rotation and reuse detection.
 */
export function devProviderConfiguration(options: Options): Configuration {
  const { issuer, client, signingKey, rolesClaim, sessionExpirySeconds } = options;
  const sessionExpiry = (use: string) =>
    sessionExpirySeconds !== undefined && use === 'id_token'
      ? { session_expiry: Math.floor(Date.now() / 1000) + sessionExpirySeconds }
      : {};
  return {
    clients: [
      {
        client_id: client.clientID,
        client_secret: client.clientSecret,
        client_name: 'Auth0 Express Login (development)',
        redirect_uris: [`${client.appBaseURL}/callback`],
        post_logout_redirect_uris: [client.appBaseURL, `${client.appBaseURL}/`],
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'RS256',
        // As Auth0's "Back-Channel Logout URI"; `sid` then goes in ID and logout tokens.
        backchannel_logout_uri: `${client.appBaseURL}/backchannel-logout`,
        backchannel_logout_session_required: true,
      },
    ],
    routes: {
      authorization: '/authorize',
      token: '/oauth/token',
      userinfo: '/userinfo',
      jwks: '/.well-known/jwks.json',
      end_session: '/oidc/logout',
      revocation: '/oauth/revoke',
    },
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: scopeClaims(rolesClaim, sessionExpirySeconds !== undefined),
    extraParams: ['audience'],
    // Auth0's "Refresh Token Rotation" with a reuse interval of 0: every refresh consumes the token,
    // and oidc-provider answers a consumed one with invalid_grant after revoking its whole grant.
    rotateRefreshToken: true,
    formats: { customizers: { jwt: accessTokenCustomizer(options) } },
    // Auth0 puts the profile claims in the ID token too.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: {
      AuthorizationCode: 60,
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 60 * 60,
      IdToken: 60 * 60,
      Interaction: 60 * 60,
      Session: 24 * 60 * 60,
      // A grant outlives its refresh tokens, so refreshing is never refused for the grant's age. It is
      // made at login and the tokens' family at the code exchange a moment later: hence an hour more.
      Grant: REFRESH_TOKEN_ABSOLUTE_SECONDS + 60 * 60,
      RefreshToken: refreshTokenTtl,
    },
    features: {
      devInteractions: { enabled: false },
      // As at Auth0, an application revokes only its own tokens.
      revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      resourceIndicators: resourceIndicatorsFeature(options),
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => render(ctx, 'logout', { form }),
        postLogoutSuccessSource: (ctx) => render(ctx, 'logged-out', {}),
      },
    },
    fetch: devProviderFetch(client.appBaseURL),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: impliedConsentPolicy() },
    findAccount(_ctx, sub) {
      const user = findDemoUserBySub(sub);
      if (!user) return Promise.resolve(undefined);
      return Promise.resolve({
        accountId: user.sub,
        claims: (use: string) => ({ ...demoUserClaims(user, issuer, rolesClaim), ...sessionExpiry(use) }),
      });
    },
    // A first-party app: consent is implied (as for Auth0 first-party applications), so the
    // grant is created on the spot instead of showing a consent screen. It covers the Management
    // API's current_user scopes too; a token gets only those its request asked for.
    async loadExistingGrant(ctx) {
      const { oidc } = ctx;
      if (!oidc.client || !oidc.session?.accountId) return undefined;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
      const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      if (existing) return existing;
      const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
      grant.addOIDCScope('openid profile email offline_access');
      grant.addResourceScope(managementAudienceOf(issuer), MANAGEMENT_API_SCOPES.join(' '));
      await grant.save();
      return grant;
    },
    async renderError(ctx, out) {
      await render(ctx, 'error', { error: out.error, description: out.error_description });
    },
  };
}
