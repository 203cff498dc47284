import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import createError from 'http-errors';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { ResponseBodyError } from 'openid-client';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { serializeError, stackOf } from '../../src/logger.js';
import { captureLogs } from '../support/logs.js';

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** A real jose claim error: it carries the whole token payload, here with an email and a name. */
async function claimError(): Promise<unknown> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const token = await new SignJWT({ email: 'carol@example.com', name: 'Carol Secret' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k' })
    .setIssuer('https://issuer.example/')
    .setAudience('someone-else')
    .setIssuedAt()
    .sign(privateKey);
  const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'RS256' }] });
  return rejectionOf(jwtVerify(token, keys, { issuer: 'https://issuer.example/', audience: 'client-1' }));
}

describe('createLogger', () => {
  it('redacts cookies, authorization headers, tokens, codes and secrets wherever they are logged', () => {
    const { logger, text, lines } = captureLogs();
    logger.info(
      {
        req: { headers: { cookie: 'session=abc123', authorization: 'Bearer tok-1' } },
        res: { headers: { 'set-cookie': 'session=def456' } },
        upstream: { headers: { cookie: 'nested=ghi789', authorization: 'Basic Y2xpZW50OnNlY3JldA==' } },
        session: { id_token: 'eyJ.id.token', access_token: 'at-2', refresh_token: 'rt-3', csrfToken: 'csrf-4' },
        query: { code: 'code-5' },
        params: { code_verifier: 'verifier-6', client_secret: 'cs-7', logout_token: 'lt-8' },
        config: { clientSecret: 'cs-9', secret: 'secret-10', secrets: ['secret-11'] },
        form: { password: 'pw-12' },
      },
      'everything sensitive at once',
    );
    for (const value of [
      'abc123',
      'tok-1',
      'def456',
      'ghi789',
      'Y2xpZW50',
      'eyJ.id.token',
      'at-2',
      'rt-3',
      'csrf-4',
      'code-5',
      'verifier-6',
      'cs-7',
      'lt-8',
      'cs-9',
      'secret-10',
      'secret-11',
      'pw-12',
    ]) {
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
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as Record<
      string,
      Record<string, string> | undefined
    >;
    expect(manifest.devDependencies?.['pino-pretty']).toBeDefined();
    expect(manifest.dependencies?.['pino-pretty']).toBeUndefined();
  });
});

describe('serializeError (the `err` of every log line)', () => {
  it('keeps what failed: type, message, code, errno, syscall, and the same for each cause', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4000'), {
      code: 'ECONNREFUSED',
      errno: -111,
      syscall: 'connect',
      address: '127.0.0.1',
    });
    expect(serializeError(new TypeError('fetch failed', { cause: refused }))).toEqual({
      type: 'TypeError',
      message: 'fetch failed',
      cause: {
        type: 'Error',
        message: 'connect ECONNREFUSED 127.0.0.1:4000',
        code: 'ECONNREFUSED',
        errno: -111,
        syscall: 'connect',
      },
    });
  });

  it('keeps a jose error code and message, not the token payload it carries', async () => {
    const error = await claimError();
    const serialized = serializeError(error);
    expect(serialized).toEqual({
      type: 'JWTClaimValidationFailed',
      message: 'unexpected "aud" claim value',
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    });
    expect(JSON.stringify(serialized)).not.toMatch(/carol|Carol Secret/);
  });

  it("keeps openid-client's code, status and OAuth error, not the response or the body's description", () => {
    const body = {
      error: 'invalid_grant',
      error_description: 'grant for carol@example.com expired',
      email: 'carol@example.com',
    };
    const error = new ResponseBodyError('server responded with an error in the response body', {
      cause: body,
      response: new Response(JSON.stringify(body), { status: 400 }),
    });
    const serialized = serializeError(error);
    expect(serialized).toEqual({
      type: 'ResponseBodyError',
      message: 'server responded with an error in the response body',
      code: 'OAUTH_RESPONSE_BODY_ERROR',
      status: 400,
      error: 'invalid_grant',
      cause: { type: 'Object', error: 'invalid_grant' },
    });
  });

  it("keeps an http error's status and OAuth error code, not its error_description", () => {
    const error = createError(400, 'authorization response from the server is an error', {
      error: 'access_denied',
      error_description: 'Please verify carol@example.com',
    });
    expect(serializeError(error)).toEqual({
      type: 'BadRequestError',
      message: 'authorization response from the server is an error',
      status: 400,
      statusCode: 400,
      error: 'access_denied',
    });
  });

  it('summarises a ValiError by path and issue kind, never with the values it refused', () => {
    const schema = v.object({
      sub: v.string(),
      email: v.pipe(v.string(), v.minLength(1)),
      name: v.pipe(
        v.string(),
        v.check(() => false, 'carol@example.com is not allowed'),
      ),
      picture: v.string(),
    });
    const result = v.safeParse(schema, { sub: 5, email: '', name: 'carol@example.com' });
    if (result.success) expect.unreachable();
    const error = new v.ValiError(result.issues);
    expect(error.message).toContain('5');
    expect(serializeError(error)).toEqual({
      type: 'ValiError',
      message: 'invalid sub: invalid_type; email: min_length; name: check; picture: invalid_type',
    });
  });

  it('cuts JWTs and quoted JSON out of messages, and bounds their length', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJlbWFpbCI6ImNhcm9sQGV4YW1wbGUuY29tIn0.c2ln';
    expect(serializeError(new Error(`bad token ${jwt} here`)).message).toBe('bad token [jwt] here');
    const parseError = (() => {
      try {
        JSON.parse('{"email":"carol@example.com",');
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(JSON.stringify(serializeError(parseError))).not.toContain('carol');
    expect(serializeError(new Error('x'.repeat(5000))).message?.length).toBeLessThanOrEqual(300);
  });

  it('follows causes only so deep, and survives a cycle', () => {
    const first = new Error('first');
    const second = new Error('second', { cause: first });
    Object.assign(first, { cause: second });
    expect(JSON.stringify(serializeError(second))).toBe(
      JSON.stringify({ type: 'Error', message: 'second', cause: { type: 'Error', message: 'first' } }),
    );
    let deep: Error = new Error('0');
    for (let level = 1; level < 10; level += 1) deep = new Error(String(level), { cause: deep });
    expect(JSON.stringify(serializeError(deep)).match(/"message"/g)).toHaveLength(4);
  });

  it('never keeps any other field, for any error and any cause', () => {
    const marker = 'LEAKED-VALUE';
    const field = fc
      .string({ minLength: 1, maxLength: 12 })
      .filter(
        (name) =>
          ![
            'code',
            'status',
            'statusCode',
            'errno',
            'syscall',
            'error',
            'message',
            'cause',
            'name',
            'constructor',
            '__proto__',
          ].includes(name),
      );
    const extras = fc.dictionary(field, fc.constantFrom(marker, { nested: marker }, [marker]), { maxKeys: 5 });
    fc.assert(
      fc.property(extras, extras, fc.boolean(), (own, ofCause, causeIsError) => {
        const cause = causeIsError ? Object.assign(new Error('inner'), ofCause) : { ...ofCause };
        const error = Object.assign(new Error('outer', { cause }), own);
        expect(JSON.stringify(serializeError(error))).not.toContain(marker);
      }),
      { numRuns: 200 },
    );
  });

  it('is what the logger writes under err, with no stack', async () => {
    const { logger, lines, text } = captureLogs();
    logger.warn({ err: await claimError() }, 'refused');
    expect(lines()[0]).toMatchObject({
      err: { type: 'JWTClaimValidationFailed', code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
    });
    expect(text()).not.toMatch(/carol|stack/);
  });

  it('leaves stacks to stackOf: frames only, without the message line', () => {
    const stack = stackOf(new Error('carol@example.com'));
    expect(stack).toMatch(/^\s+at /);
    expect(stack).not.toContain('carol');
    expect(stackOf('not an error')).toBeUndefined();
  });
});
