import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captureLogs } from '../support/logs.js';

describe('createLogger', () => {
  it('redacts cookies, authorization headers, tokens, codes and secrets wherever they are logged', () => {
    const { logger, text, lines } = captureLogs();
    logger.info(
      {
        req: { headers: { cookie: 'session=abc123', authorization: 'Bearer tok-1' } },
        res: { headers: { 'set-cookie': 'session=def456' } },
        upstream: { headers: { cookie: 'nested=ghi789', authorization: 'Basic Y2xpZW50OnNlY3JldA==' } },
        session: { id_token: 'eyJ.id.token', access_token: 'at-2', refresh_token: 'rt-3', csrfToken: 'csrf-4' },
        params: { code: 'code-5', code_verifier: 'verifier-6', client_secret: 'cs-7', logout_token: 'lt-8' },
        config: { clientSecret: 'cs-9', secret: 'secret-10', secrets: ['secret-11'] },
        form: { password: 'pw-12' },
      },
      'everything sensitive at once',
    );
    for (const value of ['abc123', 'tok-1', 'def456', 'ghi789', 'Y2xpZW50', 'eyJ.id.token', 'at-2', 'rt-3', 'csrf-4', 'code-5', 'verifier-6', 'cs-7', 'lt-8', 'cs-9', 'secret-10', 'secret-11', 'pw-12']) {
      expect(text()).not.toContain(value);
    }
    expect(lines()[0]).toMatchObject({ msg: 'everything sensitive at once', session: { id_token: '[redacted]' } });
  });

  it('writes one JSON object per line when not pretty', () => {
    const { logger, text } = captureLogs();
    logger.info({ event: 'a' }, 'first');
    logger.warn({ event: 'b' }, 'second');
    const parsed = text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(parsed.map(({ level, msg }) => [level, msg])).toEqual([
      [30, 'first'],
      [40, 'second'],
    ]);
  });

  it('needs pino-pretty only as a development dependency', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, string> | undefined>;
    expect(manifest.devDependencies?.['pino-pretty']).toBeDefined();
    expect(manifest.dependencies?.['pino-pretty']).toBeUndefined();
  });
});
