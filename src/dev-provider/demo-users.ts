import { DEFAULT_ROLES_CLAIM } from '../config.js';

/**
 * Demo accounts of the embedded development provider. They exist only in development and tests;
 * the provider that serves them refuses to start in production.
 * Shaped like Auth0 users: `sub` is `connection|id`, the claims are the ones Auth0 returns.
 */
export interface DemoUser {
  sub: string;
  email: string;
  password: string;
  email_verified: boolean;
  name: string;
  nickname: string;
  given_name: string;
  family_name: string;
  /** File name of an avatar the development provider serves itself, so it works offline. */
  avatar?: string;
  /** Auth0 RBAC roles: they reach the app in the roles claim, as an Auth0 Action would add them. */
  roles: readonly string[];
  /** Auth0 RBAC permissions: the `permissions` claim of API access tokens ("Add Permissions in the Access Token"). */
  permissions: readonly string[];
}

export const demoUsers: readonly DemoUser[] = [
  {
    sub: 'auth0|64f1c0ffee0000000000a11c',
    email: 'alice@example.com',
    password: 'wonderland',
    email_verified: true,
    name: 'Alice Liddell',
    nickname: 'alice',
    given_name: 'Alice',
    family_name: 'Liddell',
    avatar: 'alice.svg',
    roles: ['admin'],
    permissions: ['read:admin'],
  },
  {
    sub: 'auth0|64f1c0ffee00000000000b0b',
    email: 'bob@example.com',
    password: 'builder',
    email_verified: false,
    name: 'Bob Builder',
    nickname: 'bob',
    given_name: 'Bob',
    family_name: 'Builder',
    roles: [],
    permissions: [],
  },
];

export function findDemoUserByEmail(email: string): DemoUser | undefined {
  const wanted = email.trim().toLowerCase();
  return demoUsers.find((user) => user.email === wanted);
}

export function findDemoUserBySub(sub: string): DemoUser | undefined {
  return demoUsers.find((user) => user.sub === sub);
}

/** The URL of the user's avatar, which the provider at `issuer` serves itself. */
export function avatarUrl(user: DemoUser, issuer: string): string | undefined {
  return user.avatar ? new URL(`assets/avatars/${user.avatar}`, issuer).href : undefined;
}

/**
 * The claims the development provider releases for a demo user (its avatar is served by the provider
 * at `issuer`), with its roles under `rolesClaim`: an empty list for a user without roles, as
 * Auth0's `event.authorization.roles` is.
 */
export function demoUserClaims(
  user: DemoUser,
  issuer: string,
  rolesClaim = DEFAULT_ROLES_CLAIM,
): { sub: string } & Record<string, unknown> {
  return {
    sub: user.sub,
    email: user.email,
    email_verified: user.email_verified,
    name: user.name,
    nickname: user.nickname,
    given_name: user.given_name,
    family_name: user.family_name,
    ...(user.avatar ? { picture: avatarUrl(user, issuer) } : {}),
    updated_at: 1_700_000_000,
    [rolesClaim]: [...user.roles],
  };
}
