import type { RefreshToken, TTLFunction } from 'oidc-provider';

/** Auth0's default refresh token lifetimes: unused for 15 days, or 30 days after sign-in, it is dead. */
export const REFRESH_TOKEN_IDLE_SECONDS = 15 * 24 * 60 * 60;
export const REFRESH_TOKEN_ABSOLUTE_SECONDS = 30 * 24 * 60 * 60;

/**
 * Each rotated refresh token lives the idle lifetime, but never past the absolute lifetime counted
 * from the first token of its family (`iiat`), as Auth0's "Inactivity" and "Absolute" expirations.
 */
export const refreshTokenTtl: TTLFunction<RefreshToken, false> = (_ctx, token) => {
  const now = Math.floor(Date.now() / 1000);
  const familyEnds = (token.iiat ?? now) + REFRESH_TOKEN_ABSOLUTE_SECONDS;
  return Math.max(1, Math.min(REFRESH_TOKEN_IDLE_SECONDS, familyEnds - now));
};
