import createError, { isHttpError } from 'http-errors';
import { describeCallbackError, describeProviderFailure } from './provider-errors.js';

/** What a person sees on the error page (or a client gets as JSON): never a library message. */
export interface PublicError {
  status: number;
  title: string;
  message: string;
  /** Offer "Try again" (restarting sign-in) instead of only "Back to home". */
  retrySignIn: boolean;
}

interface PublicErrorProps {
  publicError: Omit<PublicError, 'status'>;
}

/**
 * An HTTP error whose text was written for end users. Only these messages reach a page; every
 * other error is described by its status alone.
 */
export function userError(
  status: number,
  title: string,
  message: string,
  options: { retrySignIn?: boolean; cause?: unknown } = {},
): createError.HttpError {
  const props: PublicErrorProps = { publicError: { title, message, retrySignIn: options.retrySignIn ?? false } };
  const error = createError(status, title, props);
  if (options.cause !== undefined) error.cause = options.cause;
  return error;
}

/** The session store failed: a temporary outage for the visitor, never a 500 and never "signed out". */
export function storeUnavailable(cause: unknown): createError.HttpError {
  return userError(503, 'Temporarily unavailable', 'Your session cannot be reached right now. You have not been signed out: please try again in a moment.', {
    cause,
  });
}

/**
 * Storage refused a new session because it holds as many as it may (the in-memory store's cap):
 * sessions already live are untouched. Storage throws it; describeError words it.
 */
export class SessionLimitReached extends Error {
  override name = 'SessionLimitReached';
  constructor(readonly limit: number) {
    super(`the session store holds its maximum of ${limit} sessions`);
  }
}

const sessionLimitReached: PublicError = {
  status: 503,
  title: 'Sign-in is busy',
  message: 'Too many people are signed in right now, so we could not start your session. Please try again in a few minutes.',
  retrySignIn: true,
};

const badRequest = { title: 'Bad request', message: 'The request could not be understood.' };

const byStatus: Record<number, Omit<PublicError, 'status' | 'retrySignIn'>> = {
  400: badRequest,
  401: { title: 'Please sign in', message: 'You need to sign in to see this page.' },
  403: { title: 'Not allowed', message: 'This request was refused.' },
  404: { title: 'Page not found', message: 'There is no page at this address.' },
  405: { title: 'Method not allowed', message: 'This page cannot be used that way.' },
  413: { title: 'Request too large', message: 'The request was too large.' },
  429: { title: 'Too many requests', message: 'Too many requests. Please wait a moment and try again.' },
  502: { title: 'Sign-in service error', message: 'The sign-in service gave an unexpected answer. Please try again in a moment.' },
  503: { title: 'Temporarily unavailable', message: 'The service is temporarily unavailable. Please try again in a moment.' },
};

const generic = { title: 'Something went wrong', message: 'Something went wrong on our side. Please try again later.' };

/**
 * Turns any error into what may be shown: text written for people, or a fixed text per status.
 * A library's own message is never shown, only mapped (provider-errors.ts explains the sign-in
 * service's failures).
 */
export function describeError(error: unknown): PublicError {
  const shown = describeKnown(error);
  // Whatever the mapping above says, the answer is an error status: never a crash on res.status().
  return Number.isInteger(shown.status) && shown.status >= 400 && shown.status <= 599 ? shown : { status: 500, retrySignIn: false, ...generic };
}

function describeKnown(error: unknown): PublicError {
  if (error instanceof SessionLimitReached) return sessionLimitReached;
  if (isHttpError(error)) {
    const { publicError } = error as Partial<PublicErrorProps>;
    if (publicError) return { status: error.status, ...publicError };
    const fromCallback = describeCallbackError(error);
    if (fromCallback) return fromCallback;
    const known = byStatus[error.status] ?? (error.status >= 500 ? generic : badRequest);
    return { status: error.status, retrySignIn: false, ...known };
  }
  return describeProviderFailure(error) ?? { status: 500, retrySignIn: false, ...generic };
}
