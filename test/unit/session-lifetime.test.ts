import { describe, expect, it } from 'vitest';
import type { StoredSession } from '../../src/sessions/session-data.js';
import {
  expiryOf,
  isStoredSession,
  sessionExpired,
  touchIntervalSeconds,
} from '../../src/sessions/session-lifetime.js';

const T = 1_800_000_000;
const lifetime = { idleSeconds: 600, absoluteSeconds: 3600 };
const session = (header: StoredSession['header'], data: StoredSession['data'] = {}): StoredSession => ({
  header,
  data,
  cookie: { expires: 0, maxAge: 0 },
});

describe('session lifetime', () => {
  it('is live until the first of its limits, and over at that very second', () => {
    const live = session({ iat: T, uat: T, exp: T + 600 });
    expect(sessionExpired(live, lifetime, T + 599)).toBe(false);
    expect(sessionExpired(live, lifetime, T + 600)).toBe(true);
    expect(sessionExpired(session({ iat: T, uat: T + 3000, exp: T + 3600 }), lifetime, T + 3600)).toBe(true);
    expect(sessionExpired(session({ iat: T, uat: T, exp: T + 100 }), lifetime, T + 100)).toBe(true);
    expect(
      sessionExpired(session({ iat: T, uat: T, exp: T + 600 }, { sessionExpiresAt: T + 130 }), lifetime, T + 99),
    ).toBe(false);
    expect(
      sessionExpired(session({ iat: T, uat: T, exp: T + 600 }, { sessionExpiresAt: T + 130 }), lifetime, T + 100),
    ).toBe(true);
  });

  it('applies today’s timeouts to sessions stored under longer ones', () => {
    expect(sessionExpired(session({ iat: T, uat: T, exp: T + 86_400 }), lifetime, T + 601)).toBe(true);
  });

  it('moves the expiry with use, never past the absolute limit or the provider’s ceiling', () => {
    const stored = session({ iat: T, uat: T, exp: T + 600 });
    expect(expiryOf(stored, T + 60, lifetime)).toBe(T + 660);
    expect(expiryOf(stored, T + 3500, lifetime)).toBe(T + 3600);
    expect(expiryOf(session(stored.header, { sessionExpiresAt: T + 200 }), T + 60, lifetime)).toBe(T + 200);
  });

  it('records use at most once a minute, or a tenth of a short idle timeout', () => {
    expect(touchIntervalSeconds(1800)).toBe(60);
    expect(touchIntervalSeconds(300)).toBe(30);
    expect(touchIntervalSeconds(5)).toBe(1);
  });

  it('judges only well-formed records', () => {
    expect(isStoredSession(session({ iat: T, uat: T, exp: T + 1 }))).toBe(true);
    for (const bad of [
      null,
      'text',
      {},
      { header: { iat: T, uat: T }, data: {} },
      { header: { iat: T, uat: T, exp: '1' }, data: {} },
      { header: { iat: T, uat: T, exp: T }, data: null },
    ]) {
      expect(isStoredSession(bad)).toBe(false);
    }
  });
});
