import { decodeJwt } from 'jose';
import * as v from 'valibot';
import { userError } from '../errors.js';
import type { UserSettings } from '../sessions/index.js';
import { ranOutOfTime } from '../time-limit.js';
import { jsonObject } from './json-object.js';
import { isTimeZone, PREFERRED_NAME_MAX } from './settings-rules.js';

/** The largest answer read from the API: a user object with its metadata is a few kilobytes. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/** Where /account keeps each setting in `user_metadata` (Auth0 convention: snake_case keys). */
const METADATA_KEYS = { preferredName: 'preferred_name', timeZone: 'time_zone' } as const;

const userSchema = v.pipe(jsonObject, v.object({ user_metadata: v.optional(jsonObject) }));
const apiErrorSchema = v.object({ errorCode: v.optional(v.string()), message: v.optional(v.string()) });

/** The scope each call needs on the user's own record (Auth0's current_user scopes). */
const SCOPE_NEEDED = { GET: 'read:current_user', PATCH: 'update:current_user_metadata' } as const;

/**
 * Whether the access token says it carries `scope`. Auth0 answers 403 `insufficient_scope` both
 * for a missing scope and for someone else's id (it would need read:users): the app tells the two
 * apart by its own token, to say which one it is.
 */
function grants(accessToken: string, scope: string): boolean {
  try {
    const granted = decodeJwt(accessToken).scope;
    return typeof granted === 'string' && granted.split(' ').includes(scope);
  } catch {
    return true;
  }
}

/** Settings as the page edits them: a value sets one, null removes it. */
export type SettingsChange = { [K in keyof UserSettings]-?: string | null };

/**
 * The user's own settings in Auth0's Management API (`/api/v2/users/{id}`), read and saved with
 * the user's own access token (scopes read:current_user, update:current_user_metadata), as
 * Auth0's "get and update the current user's metadata" guidance says.
 */
export interface ManagementApi {
  readSettings(accessToken: string, userId: string): Promise<UserSettings>;
  /** Saves the change (merged into `user_metadata` by the API) and returns the settings as saved. */
  saveSettings(accessToken: string, userId: string, change: SettingsChange): Promise<UserSettings>;
}

/** Whether AUDIENCE names an Auth0 Management API (`https://{tenant}/api/v2/`): any other is someone's own API. */
export function isManagementApiAudience(audience: string): boolean {
  if (!URL.canParse(audience)) return false;
  const url = new URL(audience);
  return /^https?:$/.test(url.protocol) && url.pathname === '/api/v2/' && url.search === '' && url.hash === '';
}

/**
 * Where to call the Management API when AUDIENCE is it: at the issuer's own domain. With a custom
 * domain the audience stays the tenant's (`https://{tenant}.auth0.com/api/v2/`), but a token obtained
 * through the custom domain must be used there (Auth0, "Custom domains and the Management API").
 */
export function managementApiBase(audience: string | undefined, issuerBaseURL: string): string | undefined {
  if (audience === undefined || !isManagementApiAudience(audience)) return undefined;
  return new URL('/api/v2/', issuerBaseURL).href;
}

/**
 * The settings in `user_metadata`, each only within the form's bounds: anything else with the user's
 * token may have written there (a time zone Intl does not know would fail /sessions, a name of
 * kilobytes would sit in every session and header). One out of bounds is treated as unset. A name
 * is not held to the form's characters: pages escape it, and it is the user's own.
 */
function settingsOf(metadata: Record<string, unknown> | undefined): UserSettings {
  const text = (key: string, valid: (value: string) => boolean) => {
    const value = metadata?.[key];
    return typeof value === 'string' && value.length > 0 && valid(value) ? value : undefined;
  };
  return {
    preferredName: text(METADATA_KEYS.preferredName, (name) => Array.from(name).length <= PREFERRED_NAME_MAX),
    timeZone: text(METADATA_KEYS.timeZone, isTimeZone),
  };
}

export function createManagementApi(base: string, timeoutMs: number): ManagementApi {
  async function call(
    accessToken: string,
    userId: string,
    init: { method: 'GET' } | { method: 'PATCH'; body: string },
  ): Promise<UserSettings> {
    let response: Response;
    try {
      response = await fetch(new URL(`users/${encodeURIComponent(userId)}`, base), {
        ...init,
        headers: {
          authorization: `Bearer ${accessToken}`,
          accept: 'application/json',
          ...(init.method === 'PATCH' ? { 'content-type': 'application/json' } : {}),
        },
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw unreachable(error);
    }
    const text = await readBounded(response);
    if (!response.ok) throw refusal(response.status, text, !grants(accessToken, SCOPE_NEEDED[init.method]));
    let parsed: v.InferOutput<typeof userSchema>;
    try {
      parsed = v.parse(userSchema, JSON.parse(text));
    } catch (error) {
      throw unreachable(error);
    }
    return settingsOf(parsed.user_metadata);
  }

  return {
    readSettings: (accessToken, userId) => call(accessToken, userId, { method: 'GET' }),
    saveSettings: (accessToken, userId, change) =>
      call(accessToken, userId, {
        method: 'PATCH',
        body: JSON.stringify({
          user_metadata: {
            [METADATA_KEYS.preferredName]: change.preferredName,
            [METADATA_KEYS.timeZone]: change.timeZone,
          },
        }),
      }),
  };
}

/**
 * The body as text, read only up to MAX_RESPONSE_BYTES: a chunked answer declares no length, and
 * reading it whole first would hold however much the other end sends within the timeout.
 */
async function readBounded(response: Response): Promise<string> {
  const length = Number(response.headers.get('content-length'));
  if (Number.isFinite(length) && length > MAX_RESPONSE_BYTES) {
    await response.body?.cancel();
    throw unreachable(new Error(`the API answered ${length} bytes`));
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > MAX_RESPONSE_BYTES) {
        await reader.cancel();
        throw new Error('the API answered too much');
      }
      chunks.push(value);
    }
  } catch (error) {
    throw unreachable(error);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** What the page says when the API refuses: never the API's own message (it is not written for users). */
function refusal(status: number, body: string, scopeMissing: boolean): Error {
  let errorCode: string | undefined;
  try {
    errorCode = v.parse(apiErrorSchema, JSON.parse(body)).errorCode;
  } catch {
    errorCode = undefined;
  }
  const cause = new Error(`the Management API answered ${status}${errorCode ? ` (${errorCode})` : ''}`);
  if (status === 401)
    return userError(
      401,
      'Please sign in again',
      'The account service did not accept your sign-in. Please sign in again.',
      { retrySignIn: true, cause },
    );
  if (status === 403 && scopeMissing)
    return userError(
      403,
      'Not allowed',
      'This app was not given permission to read or change your settings (a scope is missing). Ask its administrator to grant it, then sign in again.',
      { cause },
    );
  if (status === 403) return userError(403, 'Not allowed', 'You can only see and change your own settings.', { cause });
  if (status === 400)
    return userError(400, 'Settings not saved', 'The account service refused these settings. Please check them.', {
      cause,
    });
  if (status === 429)
    return userError(503, 'Account service busy', 'The account service is busy. Please try again in a moment.', {
      cause,
    });
  return unreachable(cause);
}

function unreachable(cause: unknown): Error {
  return ranOutOfTime(cause)
    ? userError(504, 'Account service too slow', 'The account service took too long to answer. Please try again.', {
        cause,
      })
    : userError(502, 'Account service error', 'The account service could not be reached. Please try again.', {
        cause,
      });
}
