import { z } from 'zod';

/** The part of a userinfo response we rely on; everything else is kept verbatim in `claims`. */
const userinfoSchema = z
  .object({
    sub: z.string().min(1),
    name: z.string().optional(),
    nickname: z.string().optional(),
    email: z.string().optional(),
    email_verified: z.boolean().optional(),
    picture: z.string().optional(),
  })
  .loose();

/** What the session keeps about the signed-in user, as the Flask tutorial kept `session['profile']`. */
export interface UserProfile {
  user_id: string;
  name: string;
  email?: string;
  email_verified: boolean;
  /** Only an absolute https URL (or http on localhost, for the development provider); anything else is dropped. */
  picture?: string;
  initials: string;
  claims: Record<string, unknown>;
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

/**
 * Maps a userinfo response to the profile kept in the session.
 * Throws a ZodError when the response has no usable `sub`.
 */
export function toUserProfile(userinfo: unknown): UserProfile {
  const claims = userinfoSchema.parse(userinfo);
  const name = claims.name ?? claims.nickname ?? claims.email ?? claims.sub;
  return {
    user_id: claims.sub,
    name,
    email: claims.email,
    email_verified: claims.email_verified === true,
    picture: safePictureUrl(claims.picture),
    initials: initialsOf(name),
    claims: { ...claims },
  };
}
