import type { DemoUser } from './demo-users.js';
import { demoUserClaims } from './demo-users.js';

/**
 * Which claims each OpenID scope releases, for the ID token, /userinfo and /userinfo with an API token
 * alike. The roles claim rides on `openid`, as a claim an Auth0 Action adds to every ID token does
 * (Auth0 returns such claims from /userinfo too).
 */
export function scopeClaims(rolesClaim: string, sessionExpiry = false): Record<string, string[]> {
  return {
    openid: sessionExpiry ? ['sub', rolesClaim, 'session_expiry'] : ['sub', rolesClaim],
    email: ['email', 'email_verified'],
    profile: ['name', 'nickname', 'given_name', 'family_name', 'picture', 'updated_at'],
  };
}

/** The claims of `user` that `scopes` release. */
export function releasedClaims(
  user: DemoUser,
  { issuer, rolesClaim, scopes }: { issuer: string; rolesClaim: string; scopes: ReadonlySet<string> },
): Record<string, unknown> {
  const all = demoUserClaims(user, issuer, rolesClaim);
  const names = Object.entries(scopeClaims(rolesClaim))
    .filter(([scope]) => scopes.has(scope))
    .flatMap(([, claims]) => claims);
  return Object.fromEntries(names.filter((name) => all[name] !== undefined).map((name) => [name, all[name]]));
}
