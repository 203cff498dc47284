import createError from 'http-errors';

/** What a person sees on the error page (or a client gets as JSON): never a library message. */
export interface PublicError {
  status: number;
  title: string;
  message: string;
  /** Offer "Try again" (restarting sign-in) instead of only "Back to home". */
  retrySignIn: boolean;
}

/** What userError attaches to an HTTP error: its text for people. */
export interface PublicErrorProps {
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

/**
 * The session store could not answer (down, too slow): a temporary outage for the visitor, never
 * a 500 and never "signed out". Storage throws it; the error page words it.
 */
export class SessionStoreUnavailable extends Error {
  override name = 'SessionStoreUnavailable';
  constructor(cause: unknown) {
    super('the session store did not answer', { cause });
  }
}

/**
 * Storage refused a new session because it holds as many as it may (the in-memory store's cap):
 * sessions already live are untouched. Storage throws it; the error page words it.
 */
export class SessionLimitReached extends Error {
  override name = 'SessionLimitReached';
  constructor(readonly limit: number) {
    super(`the session store holds its maximum of ${limit} sessions`);
  }
}
