import { isHttpError } from 'http-errors';
import { SessionLimitReached, SessionStoreUnavailable, type PublicError, type PublicErrorProps } from '../errors.js';
import { describeCallbackError, describeProviderFailure } from '../sign-in/provider-errors.js';

/** The session store is down or too slow: the visitor is not signed out, and is told so. */
const storeUnavailable: PublicError = {
  status: 503,
  title: 'Temporarily unavailable',
  message: 'Your session cannot be reached right now. You have not been signed out: please try again in a moment.',
  retrySignIn: false,
};

const sessionLimitReached: PublicError = {
  status: 503,
  title: 'Sign-in is busy',
  message:
    'Too many people are signed in right now, so we could not start your session. Please try again in a few minutes.',
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
  502: {
    title: 'Sign-in service error',
    message: 'The sign-in service gave an unexpected answer. Please try again in a moment.',
  },
  503: {
    title: 'Temporarily unavailable',
    message: 'The service is temporarily unavailable. Please try again in a moment.',
  },
};

const generic = { title: 'Something went wrong', message: 'Something went wrong on our side. Please try again later.' };

/**
 * Turns any error into what may be shown: text written for people, or a fixed text per status.
 * A library's own message is never shown, only mapped (sign-in/provider-errors.ts explains the
 * sign-in service's failures; storage's typed errors are worded here).
 */
export function describeError(error: unknown): PublicError {
  const shown = describeKnown(error);
  // Whatever the mapping above says, the answer is an error status: never a crash on res.status().
  return Number.isInteger(shown.status) && shown.status >= 400 && shown.status <= 599
    ? shown
    : { status: 500, retrySignIn: false, ...generic };
}

function describeKnown(error: unknown): PublicError {
  if (error instanceof SessionStoreUnavailable) return storeUnavailable;
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
