import type { RequestHandler } from 'express';
import { userError } from '../errors.js';
import type { UserProfile } from '../sign-in/user-profile.js';

/** What the guards below judge: the signed-in user's profile claims, plus roles and permissions. */
export interface SignedInClaims {
  readonly sub: string;
  /** From the ID token's roles claim (ROLES_CLAIM) at sign-in. */
  readonly roles: readonly string[];
  /** From the API access token's `permissions` (Auth0 RBAC) at sign-in. */
  readonly permissions: readonly string[];
  readonly [claim: string]: unknown;
}

export type ClaimsRule = (claims: SignedInClaims) => boolean;

const forbidden = () =>
  userError(
    403,
    'Not allowed',
    'Your account does not have access to this page. If you think it should, ask an administrator to give you the role it needs, then sign in again.',
  );

/** The claims a guard judges; roles and permissions always from sign-in, never from a profile claim of that name. */
export function claimsOf(user: UserProfile | undefined): SignedInClaims | undefined {
  if (!user) return undefined;
  return { ...user.claims, sub: user.user_id, roles: user.roles, permissions: user.permissions };
}

/** The claim is exactly `value`. */
export const equals =
  (claim: string, value: string | number | boolean | null): ClaimsRule =>
  (claims) =>
    claims[claim] === value;

/** The claim (an array, or a space-separated string as `scope` is) holds every one of `values`. */
export const includes =
  (claim: string, ...values: string[]): ClaimsRule =>
  (claims) => {
    const held = claims[claim];
    const list: unknown[] = typeof held === 'string' ? held.split(' ') : Array.isArray(held) ? held : [];
    return values.every((value) => list.includes(value));
  };

/**
 * Lets the request through when the signed-in user's claims pass `rule`, and answers 403
 * otherwise. Goes after requireSignIn (a visitor who is not signed in is sent to sign in first),
 * in the spirit of express-openid-connect's claimCheck.
 */
export function claimCheck(rule: ClaimsRule): RequestHandler {
  return (_req, res, next) => {
    const claims = claimsOf(res.locals.user);
    next(claims && rule(claims) ? undefined : forbidden());
  };
}

/** express-openid-connect's claimEquals: `claimEquals('email_verified', true)`. */
export const claimEquals = (claim: string, value: string | number | boolean | null) => claimCheck(equals(claim, value));

/** express-openid-connect's claimIncludes: `claimIncludes('roles', 'admin')`. */
export const claimIncludes = (claim: string, ...values: string[]) => claimCheck(includes(claim, ...values));
