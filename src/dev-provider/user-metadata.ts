/**
 * A user's `user_metadata` at the development provider: held in memory per provider process, changed
 * only with Auth0's PATCH rules (merge at the top level, `null` deletes a property).
 */
export type UserMetadata = Readonly<Record<string, unknown>>;

/**
 * The most serialized `user_metadata` one user may keep here. Auth0 allows far more (16 MB, and a 10 KB
 * limit on the whole profile is coming) but names 16 kB as the practical upper limit; a smaller limit
 * here makes an app meet its own size checks in development.
 */
export const USER_METADATA_LIMIT_BYTES = 16 * 1024;

/** A validated PATCH body: each top-level property to set, or to delete when null. */
export type MetadataPatch = ReadonlyMap<string, unknown>;

/** Auth0 refuses field names with `.` or `$` (its store would read them as paths and operators). */
const FORBIDDEN_NAME = /[.$]/;

function forbiddenName(value: unknown): string | undefined {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (next === null || typeof next !== 'object') continue;
    for (const [name, child] of Object.entries(next)) {
      if (!Array.isArray(next) && FORBIDDEN_NAME.test(name)) return name;
      pending.push(child);
    }
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Checks a PATCH body against Auth0's schema for a user's own token; a message (Auth0's wording) on failure. */
export function parseMetadataPatch(body: unknown): { patch: MetadataPatch } | { error: string } {
  if (!isPlainObject(body)) return { error: 'Payload validation error: the body must be a JSON object.' };
  const extra = Object.keys(body).filter((name) => name !== 'user_metadata');
  if (extra.length > 0)
    return { error: `Payload validation error: 'Additional properties not allowed: ${extra.join(',')}'.` };
  const metadata = body.user_metadata;
  if (!isPlainObject(metadata))
    return { error: "Payload validation error: 'Expected type object' on property user_metadata." };
  const bad = forbiddenName(metadata);
  if (bad !== undefined) return { error: 'Payload validation error: field names must not contain "." or "$".' };
  return { patch: new Map(Object.entries(metadata)) };
}

/** Top-level merge, as Auth0: given properties replace stored ones whole, `null` deletes one, others stay. */
export function mergeUserMetadata(stored: UserMetadata, patch: MetadataPatch): UserMetadata {
  const merged = new Map(Object.entries(stored));
  for (const [name, value] of patch) {
    if (value === null) merged.delete(name);
    else merged.set(name, value);
  }
  // Object.fromEntries defines own properties, so a "__proto__" name stays plain data.
  return Object.fromEntries(merged);
}

export function userMetadataSize(metadata: UserMetadata): number {
  return Buffer.byteLength(JSON.stringify(metadata));
}
