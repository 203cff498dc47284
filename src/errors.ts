import createError, { isHttpError } from 'http-errors';

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

const signInFailed = {
  title: 'Sign-in could not be completed',
  message:
    'Your sign-in could not be completed. This happens when it took too long, was started in another tab, or cookies are blocked. Please try again.',
  retrySignIn: true,
};

/** Plain-words explanations of the OAuth/OpenID error codes a provider sends back to /callback. */
const providerDenials: Record<string, Omit<PublicError, 'status'>> = {
  access_denied: {
    title: 'Sign-in was cancelled',
    message: 'Sign-in was cancelled, or the sign-in service denied access. If you did not cancel, check with your administrator, or try again.',
    retrySignIn: true,
  },
  login_required: {
    title: 'Please sign in again',
    message: 'The sign-in service needs you to sign in again.',
    retrySignIn: true,
  },
  interaction_required: {
    title: 'Please sign in again',
    message: 'The sign-in service needs you to sign in again.',
    retrySignIn: true,
  },
  consent_required: {
    title: 'Permission needed',
    message: 'The sign-in service needs your permission before this app may see your profile. Please try again and allow access.',
    retrySignIn: true,
  },
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

/** Network-level failures talking to the provider (discovery, token, userinfo): not a bug of ours. */
function isProviderUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true;
  if (error instanceof TypeError && error.message === 'fetch failed') return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code === 'OAUTH_TIMEOUT' || code.startsWith('ECONN'));
}

/**
 * Turns any error into what may be shown. express-openid-connect reports every callback failure
 * as a 400 whose message is the library's own text (and `error` the protocol code); that text is
 * never shown, only mapped.
 */
export function describeError(error: unknown): PublicError {
  if (isHttpError(error)) {
    const { publicError } = error as Partial<PublicErrorProps>;
    if (publicError) return { status: error.status, ...publicError };
    const code = (error as { error?: unknown }).error;
    if (error.status === 400 && typeof code === 'string') {
      if (code === 'OAUTH_TIMEOUT') {
        return { status: 504, title: 'Sign-in service is slow', message: 'The sign-in service did not answer in time. Please try again in a moment.', retrySignIn: true };
      }
      return { status: 400, ...(providerDenials[code] ?? signInFailed) };
    }
    const known = byStatus[error.status] ?? (error.status >= 500 ? generic : badRequest);
    return { status: error.status, retrySignIn: false, ...known };
  }
  if (isProviderUnreachable(error)) {
    return {
      status: 503,
      title: 'Sign-in service unreachable',
      message: 'The sign-in service is unreachable right now. Please try again in a moment.',
      retrySignIn: true,
    };
  }
  return { status: 500, retrySignIn: false, ...generic };
}
