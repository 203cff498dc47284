import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAccessTokens } from '../../src/sign-in/access-tokens.js';

/** Any use of it fails the test: the code under test must not get this far. */
const untouchable = new Proxy(
  {},
  {
    get(_target, name) {
      throw new Error(`unexpected use of ${String(name)}`);
    },
  },
) as never;

describe('req.accessToken() without an API configured', () => {
  it('fails as the app configuration error it is, without touching the session or the provider', async () => {
    const tokens = createAccessTokens({
      enabled: false,
      store: untouchable,
      session: untouchable,
      client: untouchable,
      providerTimeoutMs: 1000,
      storeTimeoutMs: 500,
      logger: pino({ level: 'silent' }),
    });
    await expect(tokens.get(untouchable, untouchable)).rejects.toThrow(
      'req.accessToken() needs an API: set AUDIENCE (see docs/calling-apis.md)',
    );
  });
});
