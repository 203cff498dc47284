/**
 * What a setting on /account may be, wherever it comes from: the form (routes/account-form.ts) and
 * the user's `user_metadata` as the Management API returns it, which any other application of the
 * tenant (or the user, with their own token) may have written anything into.
 */

export const PREFERRED_NAME_MAX = 40;

/** Letters (any script) and combining marks first, then also spaces, apostrophes, hyphens and periods. */
const NAME_PATTERN = /^[\p{L}\p{M}][\p{L}\p{M} .'\u2019-]*$/u;
const TIME_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);

/** The time zones the form offers (IANA names, as the browser's Intl knows them). */
export const timeZones: readonly string[] = [...TIME_ZONES];

/** A name a person would type, at most PREFERRED_NAME_MAX characters. */
export function isPreferredName(value: string): boolean {
  return Array.from(value).length <= PREFERRED_NAME_MAX && NAME_PATTERN.test(value);
}

/**
 * One of `timeZones`, exactly: Intl also takes other spellings ("asia/tokyo"), and a name it does
 * not know makes Intl.DateTimeFormat throw.
 */
export function isTimeZone(value: string): boolean {
  return TIME_ZONES.has(value);
}
