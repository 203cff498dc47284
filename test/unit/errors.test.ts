import createError from 'http-errors';
import { describe, expect, it } from 'vitest';
import { userError } from '../../src/errors.js';
import { describeError } from '../../src/middleware/describe-error.js';

/** How express-openid-connect reports a failed /callback: openid-client's message, the code, the description. */
function callbackError(message: string, error: string, errorDescription = message) {
  return createError(400, message, { error, error_description: errorDescription });
}
const fromAuthorizationResponse = (error: string, description?: string) =>
  callbackError('authorization response from the server is an error', error, description);
const fromTokenEndpoint = (error: string, description?: string) =>
  callbackError('server responded with an error in the response body', error, description);

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
    const fromLibrary = callbackError('unexpected JWT claim value encountered', 'OAUTH_JWT_CLAIM_COMPARISON_FAILED');
    const shown = describeError(fromLibrary);
    expect(shown.status).toBe(400);
    expect(JSON.stringify(shown)).not.toContain('JWT');
    expect(shown.retrySignIn).toBe(true);
  });

  it('hides everything about an unexpected error', () => {
    const shown = describeError(new Error('ENOENT: /srv/app/secret/path.js'));
    expect(shown).toEqual({
      status: 500,
      title: 'Something went wrong',
      message: 'Something went wrong on our side. Please try again later.',
      retrySignIn: false,
    });
  });

  it('describes a plain 404', () => {
    expect(describeError(createError(404))).toMatchObject({ status: 404, title: 'Page not found', retrySignIn: false });
  });

  describe('an error the provider sent back to /callback', () => {
    it.each([
      ['access_denied', 'Sign-in was cancelled'],
      ['login_required', 'Please sign in again'],
      ['interaction_required', 'Please sign in again'],
      ['consent_required', 'Permission needed'],
      ['invalid_request', 'Sign-in request refused'],
      ['unauthorized_client', 'Sign-in request refused'],
      ['an_unheard_of_code', 'Sign-in request refused'],
    ])('explains %s in plain words and offers to try again', (code, title) => {
      expect(describeError(fromAuthorizationResponse(code, 'whatever the provider says'))).toEqual(
        expect.objectContaining({ status: 400, title, retrySignIn: true }),
      );
    });

    it.each(['server_error', 'temporarily_unavailable'])(
      'answers %s with 503: the provider is in trouble, not the visitor',
      (code) => {
        expect(describeError(fromAuthorizationResponse(code))).toMatchObject({ status: 503, retrySignIn: true });
      },
    );

    it.each([
      'Please verify your email before logging in.',
      'Please verify your email address before continuing.',
      'E-mail not verified: check your inbox',
    ])('recognises Auth0\'s "verify your email" denial: %s', (description) => {
      const shown = describeError(fromAuthorizationResponse('access_denied', description));
      expect(shown).toMatchObject({ status: 400, title: 'Please verify your email', retrySignIn: true });
      expect(shown.message).toMatch(/verification email/);
    });

    it('never repeats the description, so injected markup cannot reach the page', () => {
      const shown = describeError(fromAuthorizationResponse('access_denied', '<script>alert(1)</script> verify email'));
      expect(JSON.stringify(shown)).not.toMatch(/script|alert/);
    });
  });

  describe('a failed token request at /callback', () => {
    it('asks to try again when the code expired or was used (invalid_grant)', () => {
      expect(describeError(fromTokenEndpoint('invalid_grant', 'grant request is invalid'))).toMatchObject({
        status: 400,
        title: 'Sign-in could not be completed',
      });
    });

    it.each([
      ['invalid_client', 'client authentication failed'],
      ['access_denied', 'Unauthorized'],
    ])('blames the app, not the visitor, when the provider refuses its credentials (%s)', (code, description) => {
      expect(describeError(fromTokenEndpoint(code, description))).toMatchObject({
        status: 502,
        title: 'Sign-in is unavailable',
        retrySignIn: true,
      });
    });

    it('blames the app for a 401 challenge too', () => {
      expect(
        describeError(
          callbackError(
            'server responded with a challenge in the WWW-Authenticate HTTP Header',
            'OAUTH_WWW_AUTHENTICATE_CHALLENGE',
          ),
        ),
      ).toMatchObject({ status: 502 });
    });

    it('maps a timeout to 504', () => {
      expect(describeError(callbackError('operation timed out', 'OAUTH_TIMEOUT')).status).toBe(504);
    });

    it('maps a dropped connection to 503 unreachable', () => {
      expect(describeError(callbackError('fetch failed', 'unknown_error'))).toMatchObject({
        status: 503,
        title: 'Sign-in service unreachable',
      });
    });

    it.each(['OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_RESPONSE_IS_NOT_JSON', 'OAUTH_PARSE_ERROR'])(
      'maps an unusable answer (%s) to 502',
      (code) => {
        expect(describeError(callbackError('unexpected HTTP response status code', code))).toMatchObject({
          status: 502,
          title: 'Sign-in service error',
        });
      },
    );
  });

  describe('a provider failure before the callback (discovery)', () => {
    it('maps an unreachable provider to 503 with a retry', () => {
      const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      expect(describeError(refused)).toMatchObject({
        status: 503,
        retrySignIn: true,
        message: expect.stringMatching(/unreachable/) as unknown,
      });
      expect(describeError(new DOMException('timed out', 'TimeoutError'))).toMatchObject({ status: 503 });
      expect(describeError(Object.assign(new Error('operation timed out'), { code: 'OAUTH_TIMEOUT' }))).toMatchObject({
        status: 503,
      });
    });

    it('maps an unusable discovery answer (an error status, another issuer) to 502', () => {
      const mismatch = Object.assign(new Error('discovered metadata issuer does not match the expected issuer'), {
        code: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
      });
      expect(describeError(mismatch)).toMatchObject({ status: 502, title: 'Sign-in service error', retrySignIn: true });
    });
  });
});
