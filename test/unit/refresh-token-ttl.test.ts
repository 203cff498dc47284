import type { KoaContextWithOIDC, RefreshToken } from 'oidc-provider';
import { describe, expect, it } from 'vitest';
import {
  REFRESH_TOKEN_ABSOLUTE_SECONDS,
  REFRESH_TOKEN_IDLE_SECONDS,
  refreshTokenTtl,
} from '../../src/dev-provider/refresh-tokens.js';

const DAY = 24 * 60 * 60;
const now = () => Math.floor(Date.now() / 1000);
/** The TTL of a refresh token whose family began `age` seconds ago (only `iiat` is read). */
const ttlAtAge = (age: number) =>
  refreshTokenTtl({} as KoaContextWithOIDC, { iiat: now() - age } as unknown as RefreshToken);

describe('the lifetime of a rotated refresh token', () => {
  it('is the idle lifetime of 15 days while the family is young', () => {
    expect(REFRESH_TOKEN_IDLE_SECONDS).toBe(15 * DAY);
    expect(ttlAtAge(0)).toBe(15 * DAY);
    expect(ttlAtAge(10 * DAY)).toBe(15 * DAY);
  });

  it('ends with the family, 30 days after its first token', () => {
    expect(REFRESH_TOKEN_ABSOLUTE_SECONDS).toBe(30 * DAY);
    const ttl = ttlAtAge(20 * DAY);
    expect(ttl).toBeGreaterThanOrEqual(10 * DAY - 2);
    expect(ttl).toBeLessThanOrEqual(10 * DAY);
  });

  it('is one second, never zero or negative, for a family already past its end', () => {
    expect(ttlAtAge(31 * DAY)).toBe(1);
  });
});
