import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const production = {
  NODE_ENV: 'production',
  ISSUER_BASE_URL: 'https://tenant.eu.auth0.com/',
  CLIENT_ID: 'client-id',
  CLIENT_SECRET: 'client-secret',
  SECRET: 'a'.repeat(32),
};

/** The configuration, or the problems loadConfig names. */
function outcome(env: Record<string, string>): { baseURL: string } | { problems: string[] } {
  try {
    return { baseURL: loadConfig(env).baseURL };
  } catch (error) {
    if (error instanceof ConfigError) return { problems: error.problems };
    throw error;
  }
}

/**
 * `http` spelt as the WHATWG URL parser (and so every browser and the app itself) still reads it:
 * any case, after leading C0 controls, with tabs or newlines inside (the parser drops them).
 */
const httpScheme = fc.oneof(
  fc.constantFrom('HTTP', 'Http', 'hTtP', 'HTtp'),
  fc
    .tuple(fc.constantFrom('\u0001', '\u0000', '\u001f', '\u0008'), fc.constantFrom('http', 'HTTP'))
    .map(([control, scheme]) => `${control}${scheme}`),
  fc.constantFrom('ht\ttp', 'h\nttp', 'http\t', 'htt\rp'),
);

describe('BASE_URL spellings in production', () => {
  it('refuses a plain-http BASE_URL off loopback however its scheme is spelt (the app would run without Secure cookies, __Host- or HSTS)', () => {
    fc.assert(
      fc.property(httpScheme, fc.constantFrom('app.example.com', '10.0.0.5:3000', 'evil.example'), (scheme, host) => {
        const baseURL = `${scheme}://${host}`;
        // The app reads it as plain http: that is what decides Secure, __Host- and HSTS (app.ts).
        expect(new URL(baseURL).protocol).toBe('http:');
        expect(outcome({ ...production, BASE_URL: baseURL })).toEqual({
          problems: [expect.stringMatching(/^BASE_URL must use https when NODE_ENV=production/)],
        });
      }),
      { numRuns: 60 },
    );
  });
});

describe('ISSUER_BASE_URL spellings', () => {
  it('accepts an https ISSUER_BASE_URL whatever the case of its scheme (HTTPS://tenant.auth0.com is https)', () => {
    expect(
      outcome({ ...production, BASE_URL: 'https://app.example.com', ISSUER_BASE_URL: 'HTTPS://tenant.eu.auth0.com/' }),
    ).toEqual({ baseURL: 'https://app.example.com' });
  });
});
