import { ConfigError, loadConfig } from '../../src/config.js';

/** An environment set up for a real Auth0 tenant: every required variable, each valid. */
export const auth0Env = {
  ISSUER_BASE_URL: 'https://tenant.eu.auth0.com/',
  CLIENT_ID: 'client-id',
  CLIENT_SECRET: 'client-secret',
  BASE_URL: 'https://app.example.com',
  SECRET: 'a'.repeat(32),
};

/** The problems loadConfig reports for `env`; throws when it accepts it. */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected loadConfig to fail');
}
