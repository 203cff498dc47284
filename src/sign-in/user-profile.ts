import * as v from 'valibot';
import { userinfoSchema, type Userinfo } from '../sessions/index.js';

/** The signed-in user as pages show them, derived from the stored userinfo on each request. */
export interface UserProfile {
  user_id: string;
  name: string;
  email?: string;
  email_verified: boolean;
  /** Only an absolute https URL (or http on localhost, for the development provider); anything else is dropped. */
  picture?: string;
  initials: string;
  claims: Record<string, unknown>;
  roles: readonly string[];
  permissions: readonly string[];
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function safePictureUrl(picture: string | undefined): string | undefined {
  if (!picture || !URL.canParse(picture)) return undefined;
  const url = new URL(picture);
  const allowed = url.protocol === 'https:' || (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname));
  return allowed ? url.href : undefined;
}

/** Up to two letters from the name's first and last words: "Alice Liddell" -> "AL", "bob@x" -> "B". */
export function initialsOf(name: string): string {
  const words = name
    .replace(/@.*$/, '')
    .split(/[\s._-]+/u)
    .filter((word) => word.length > 0);
  const first = words[0];
  if (first === undefined) return '?';
  const last = words.length > 1 ? words[words.length - 1] : undefined;
  return [first, last]
    .filter((word): word is string => word !== undefined)
    .map((word) => Array.from(word)[0]?.toLocaleUpperCase() ?? '')
    .join('');
}

/** Checks a userinfo response at sign-in; throws a ValiError when it has no usable `sub`. */
export function parseUserinfo(userinfo: unknown): Userinfo {
  return v.parse(userinfoSchema, userinfo);
}

/**
 * The profile pages show, from the stored userinfo. Derived on each request rather than stored
 * beside it: storing both kept every name, email and picture twice in every session.
 */
export function userProfile(
  claims: Userinfo,
  access: { roles?: readonly string[]; permissions?: readonly string[] } = {},
): UserProfile {
  const name = claims.name ?? claims.nickname ?? claims.email ?? claims.sub;
  return {
    user_id: claims.sub,
    name,
    email: claims.email,
    email_verified: claims.email_verified === true,
    picture: safePictureUrl(claims.picture),
    initials: initialsOf(name),
    claims,
    roles: access.roles ?? [],
    permissions: access.permissions ?? [],
  };
}
