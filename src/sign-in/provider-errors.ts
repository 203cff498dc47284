import type { HttpError } from 'http-errors';
import type { PublicError } from '../errors.js';
import { ranOutOfTime } from '../time-limit.js';

/**
 * What went wrong between us and the OpenID Provider, in words for the person signing in. The
 * provider's own `error_description` is never shown (it is attacker-controllable on /callback and
 * written for developers); known situations are recognised and explained instead.
 */

export const unreachable: PublicError = {
  status: 503,
  title: 'Sign-in service unreachable',
  message: 'The sign-in service is unreachable right now. Please try again in a moment.',
  retrySignIn: true,
};

const slow: PublicError = {
  status: 504,
  title: 'Sign-in service is slow',
  message: 'The sign-in service did not answer in time. Please try again in a moment.',
  retrySignIn: true,
};

const badAnswer: PublicError = {
  status: 502,
  title: 'Sign-in service error',
  message: 'The sign-in service gave an unexpected answer. Please try again in a moment.',
  retrySignIn: true,
};

/** The provider refused this app itself (wrong client secret, grant not enabled): our fault, not the visitor's. */
const appRefused: PublicError = {
  status: 502,
  title: 'Sign-in is unavailable',
  message:
    "The sign-in service did not accept this app's request. This is a problem on our side, not yours; please try again later.",
  retrySignIn: true,
};

const signInFailed: PublicError = {
  status: 400,
  title: 'Sign-in could not be completed',
  message:
    'Your sign-in could not be completed. This happens when it took too long, was started in another tab, or cookies are blocked. Please try again.',
  retrySignIn: true,
};

const signInAgain: PublicError = {
  status: 400,
  title: 'Please sign in again',
  message: 'The sign-in service needs you to sign in again.',
  retrySignIn: true,
};

const requestRefused: PublicError = {
  status: 400,
  title: 'Sign-in request refused',
  message:
    "The sign-in service refused this app's sign-in request. Please try again; if it keeps happening, please let us know.",
  retrySignIn: true,
};

/** Error codes of the authorization response (RFC 6749 4.1.2.1, OpenID Connect Core 3.1.2.6). */
const authorizationErrors: Record<string, PublicError> = {
  access_denied: {
    status: 400,
    title: 'Sign-in was cancelled',
    message:
      'Sign-in was cancelled, or the sign-in service denied access. If you did not cancel, check with your administrator, or try again.',
    retrySignIn: true,
  },
  login_required: signInAgain,
  interaction_required: signInAgain,
  account_selection_required: signInAgain,
  consent_required: {
    status: 400,
    title: 'Permission needed',
    message:
      'The sign-in service needs your permission before this app may see your profile. Please try again and allow access.',
    retrySignIn: true,
  },
  invalid_request: requestRefused,
  invalid_scope: requestRefused,
  unauthorized_client: requestRefused,
  unsupported_response_type: requestRefused,
  server_error: {
    ...unreachable,
    title: 'Sign-in service unavailable',
    message: 'The sign-in service is having trouble right now. Please try again in a moment.',
  },
  temporarily_unavailable: {
    ...unreachable,
    title: 'Sign-in service unavailable',
    message: 'The sign-in service is having trouble right now. Please try again in a moment.',
  },
};

const unverifiedEmail: PublicError = {
  status: 400,
  title: 'Please verify your email',
  message:
    'Your email address is not verified yet. Open the link in the verification email you received, then try again.',
  retrySignIn: true,
};

/**
 * Auth0 rules and Actions deny unverified users with `access_denied` and a free-text
 * description such as "Please verify your email before logging in.": recognised, never shown.
 */
function asksToVerifyEmail(description: unknown): boolean {
  return typeof description === 'string' && /verif/i.test(description) && /e-?mail/i.test(description);
}

/**
 * openid-client's messages tell where an error code came from; express-openid-connect keeps only
 * the message, `error` and `error_description`. Pinned by test/integration/provider-faults.test.ts.
 */
const FROM_AUTHORIZATION_RESPONSE = 'authorization response from the server is an error';
const FROM_TOKEN_ENDPOINT_BODY = 'server responded with an error in the response body';

/** openid-client's codes for an answer it could not use (status, content type, body, metadata). */
const UNUSABLE_ANSWER = new Set(['OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_RESPONSE_IS_NOT_JSON', 'OAUTH_PARSE_ERROR']);

/**
 * express-openid-connect reports every failure of /callback as a 400 whose message is the
 * library's text, with `error` (a protocol or openid-client code) and `error_description`.
 * Returns undefined for any other error.
 */
export function describeCallbackError(error: HttpError): PublicError | undefined {
  const { error: code, error_description: description } = error as HttpError & {
    error?: unknown;
    error_description?: unknown;
  };
  if (error.status !== 400 || typeof code !== 'string') return undefined;

  if (error.message === FROM_AUTHORIZATION_RESPONSE) {
    if (code === 'access_denied' && asksToVerifyEmail(description)) return unverifiedEmail;
    // Own entries only: `error=constructor` names a member of every object, not an error code.
    return Object.hasOwn(authorizationErrors, code) ? (authorizationErrors[code] ?? requestRefused) : requestRefused;
  }
  if (error.message === FROM_TOKEN_ENDPOINT_BODY) {
    // invalid_grant: the code expired or was used already. Anything else (invalid_client, Auth0's
    // 401 access_denied "Unauthorized") means the provider does not accept this app's credentials.
    return code === 'invalid_grant' ? signInFailed : appRefused;
  }
  if (code === 'OAUTH_WWW_AUTHENTICATE_CHALLENGE') return appRefused;
  if (code === 'OAUTH_TIMEOUT' || code === 'OAUTH_ABORT') return slow;
  if (UNUSABLE_ANSWER.has(code)) return badAnswer;
  // A network failure at the token endpoint arrives as a bare TypeError('fetch failed').
  if (code === 'unknown_error' && typeof description === 'string' && description.startsWith('fetch failed'))
    return unreachable;
  return signInFailed;
}

/**
 * Failures talking to the provider outside the callback's token exchange (discovery when /login
 * or /callback starts):
 * network errors and timeouts mean unreachable; openid-client's OAUTH_* codes mean its answer
 * was unusable (a 500, HTML instead of JSON, an issuer that is not the configured one).
 */
export function describeProviderFailure(error: unknown): PublicError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (ranOutOfTime(error)) return unreachable;
  if (error instanceof TypeError && error.message.startsWith('fetch failed')) return unreachable;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  if (code.startsWith('ECONN')) return unreachable;
  if (code.startsWith('OAUTH_')) return badAnswer;
  return undefined;
}
