import createError from 'http-errors';
import { describe, expect, it } from 'vitest';
import { describeError, userError } from '../../src/errors.js';

describe('describeError', () => {
  it('shows the text of an error written for users', () => {
    expect(describeError(userError(403, 'Request refused', 'Reload and try again.'))).toEqual({
      status: 403,
      title: 'Request refused',
      message: 'Reload and try again.',
      retrySignIn: false,
    });
  });

  it("never shows a library's own message, even when it is marked as exposable", () => {
    const fromLibrary = createError(400, 'unexpected JWT claim value encountered', { error: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' });
    const shown = describeError(fromLibrary);
    expect(shown.status).toBe(400);
    expect(JSON.stringify(shown)).not.toContain('JWT');
    expect(shown.retrySignIn).toBe(true);
  });

  it('explains an access_denied sent back by the provider in plain words', () => {
    const shown = describeError(createError(400, 'access_denied', { error: 'access_denied', error_description: '<script>x</script>' }));
    expect(shown).toMatchObject({ status: 400, title: 'Sign-in was cancelled', retrySignIn: true });
    expect(JSON.stringify(shown)).not.toContain('script');
  });

  it('maps a timeout at the token endpoint to 504', () => {
    expect(describeError(createError(400, 'timed out', { error: 'OAUTH_TIMEOUT' })).status).toBe(504);
  });

  it('maps an unreachable provider to 503 with a retry', () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(describeError(refused)).toMatchObject({ status: 503, retrySignIn: true });
    expect(describeError(new DOMException('timed out', 'TimeoutError'))).toMatchObject({ status: 503 });
  });

  it('hides everything about an unexpected error', () => {
    const shown = describeError(new Error('ENOENT: /srv/app/secret/path.js'));
    expect(shown).toEqual({ status: 500, title: 'Something went wrong', message: 'Something went wrong on our side. Please try again later.', retrySignIn: false });
  });

  it('describes a plain 404', () => {
    expect(describeError(createError(404))).toMatchObject({ status: 404, title: 'Page not found' });
  });
});
