import type { JWK, JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey, startDevProvider, type DevProvider } from '../../src/dev-provider/dev-provider.js';
import { USER_METADATA_LIMIT_BYTES } from '../../src/dev-provider/user-metadata.js';
import { tokensForDemoUser, type TokenResponse } from '../support/dev-provider-tokens.js';
import { captureLogs } from '../support/logs.js';
import { signedByProviderKey } from '../support/provider-tokens.js';
import { bob } from '../support/sign-in.js';

/*
 * The embedded provider's Management API: GET and PATCH /api/v2/users/{id} with a user's own access
 * token, under Auth0's rules.
 */

const ALICE = 'auth0|64f1c0ffee0000000000a11c';
const BOB = 'auth0|64f1c0ffee00000000000b0b';

interface ApiAnswer {
  status: number;
  contentType: string | null;
  body: Record<string, unknown>;
}

async function call(
  dev: DevProvider,
  method: 'GET' | 'PATCH',
  userId: string,
  { token, body, headers = {} }: { token?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const response = await fetch(new URL(`/api/v2/users/${encodeURIComponent(userId)}`, dev.origin), {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body,
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

const patch = (dev: DevProvider, token: string, userMetadata: unknown, userId = ALICE) =>
  call(dev, 'PATCH', userId, { token, body: JSON.stringify({ user_metadata: userMetadata }) });

const metadataOf = async (dev: DevProvider, token: string) =>
  (await call(dev, 'GET', ALICE, { token })).body.user_metadata as Record<string, unknown> | undefined;

describe('the Management API of the embedded provider', () => {
  let dev: DevProvider;
  let signingKey: JWK;
  let alice: TokenResponse;
  const apiToken = () => alice.access_token;

  beforeAll(async () => {
    signingKey = await generateSigningKey();
    dev = await startDevProvider({
      appBaseURL: 'http://localhost:9',
      nodeEnv: 'test',
      logger: captureLogs().logger,
      signingKey,
    });
    alice = await tokensForDemoUser(dev, { audience: dev.managementAudience });
  });
  afterAll(() => dev.close());

  /** Claims of an API token as the provider issues it for alice, for forging variants of it. */
  const validClaims = (): JWTPayload => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: dev.issuer.issuerBaseURL,
      sub: ALICE,
      aud: [dev.managementAudience, `${dev.origin}/userinfo`],
      iat: now,
      exp: now + 60,
      scope: 'openid read:current_user update:current_user_metadata',
    };
  };
  const forged = (claims: JWTPayload, key = signingKey) => signedByProviderKey(key, claims, { typ: 'at+jwt' });

  describe('authentication', () => {
    it("answers 401 in Auth0's error shape, as JSON, to a request without a token", async () => {
      const answer = await call(dev, 'GET', ALICE);
      expect(answer.status).toBe(401);
      expect(answer.contentType).toMatch(/^application\/json/);
      expect(answer.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Missing authentication',
        errorCode: 'missing_authentication',
      });
    });

    it('accepts a token with the claims and key the provider signs with (the forgeries below differ in one thing)', async () => {
      expect((await call(dev, 'GET', ALICE, { token: await forged(validClaims()) })).status).toBe(200);
    });

    const refused: [string, () => Promise<string>][] = [
      ['an expired token', () => forged({ ...validClaims(), exp: Math.floor(Date.now() / 1000) - 5 })],
      ['a token of another issuer', () => forged({ ...validClaims(), iss: 'https://tenant.example.com/' })],
      ['a token for /userinfo only', () => forged({ ...validClaims(), aud: `${dev.origin}/userinfo` })],
      [
        'a token signed with another key',
        async () => forged(validClaims(), { ...(await generateSigningKey()), kid: signingKey.kid }),
      ],
      ['an ID token', () => Promise.resolve(String(alice.id_token))],
      ['an opaque /userinfo token', async () => (await tokensForDemoUser(dev, { scope: 'openid' })).access_token],
    ];
    it.each(refused)('answers 401 to %s', async (_name, token) => {
      const answer = await call(dev, 'GET', ALICE, { token: await token() });
      expect(answer.status).toBe(401);
      expect(answer.body.errorCode).toBe('invalid_token');
    });

    it('answers 401 to credentials of another scheme', async () => {
      const answer = await call(dev, 'GET', ALICE, { headers: { authorization: `Basic ${btoa('alice:wonderland')}` } });
      expect(answer.status).toBe(401);
    });
  });

  describe('GET /api/v2/users/{id}', () => {
    it("returns the token's own user, shaped as Auth0's, for its URL-encoded id", async () => {
      const answer = await call(dev, 'GET', ALICE, { token: apiToken() });
      expect(answer.status).toBe(200);
      expect(answer.contentType).toMatch(/^application\/json/);
      expect(answer.body).toMatchObject({
        user_id: ALICE,
        email: 'alice@example.com',
        email_verified: true,
        name: 'Alice Liddell',
        nickname: 'alice',
        picture: `${dev.origin}/assets/avatars/alice.svg`,
        identities: [{ provider: 'auth0', user_id: '64f1c0ffee0000000000a11c', isSocial: false }],
      });
    });

    it("answers 403 to another user's id", async () => {
      const answer = await call(dev, 'GET', BOB, { token: apiToken() });
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ statusCode: 403, error: 'Forbidden', errorCode: 'insufficient_scope' });
      expect(answer.body).not.toHaveProperty('email');
    });

    it('answers 403 insufficient_scope to a token without read:current_user', async () => {
      const token = await forged({ ...validClaims(), scope: 'openid update:current_user_metadata' });
      const answer = await call(dev, 'GET', ALICE, { token });
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: 'Insufficient scope, expected any of: read:current_user',
        errorCode: 'insufficient_scope',
      });
    });
  });

  describe('PATCH /api/v2/users/{id}', () => {
    it('merges the given top-level properties into user_metadata, replacing each whole', async () => {
      expect((await patch(dev, apiToken(), { merge_a: 1, merge_b: { x: 1, y: 1 } })).status).toBe(200);
      const answer = await patch(dev, apiToken(), { merge_b: { y: 2 }, merge_c: 'three' });
      expect(answer.status).toBe(200);
      expect(answer.body.user_metadata).toMatchObject({ merge_a: 1, merge_b: { y: 2 }, merge_c: 'three' });
      expect(await metadataOf(dev, apiToken())).toMatchObject({ merge_a: 1, merge_b: { y: 2 }, merge_c: 'three' });
    });

    it('deletes a property set to null and keeps the others', async () => {
      await patch(dev, apiToken(), { delete_me: 'x', keep_me: 'y' });
      const answer = await patch(dev, apiToken(), { delete_me: null });
      expect(answer.status).toBe(200);
      const metadata = await metadataOf(dev, apiToken());
      expect(metadata).not.toHaveProperty('delete_me');
      expect(metadata).toHaveProperty('keep_me', 'y');
    });

    it('keeps "__proto__" as a plain property name', async () => {
      const answer = await call(dev, 'PATCH', ALICE, {
        token: apiToken(),
        body: '{"user_metadata":{"__proto__":{"polluted":1}}}',
      });
      expect(answer.status).toBe(200);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getOwnPropertyNames(await metadataOf(dev, apiToken()))).toContain('__proto__');
    });

    it(`answers 400 when user_metadata would exceed ${USER_METADATA_LIMIT_BYTES} bytes, and stores nothing of it`, async () => {
      await patch(dev, apiToken(), { before_limit: 'kept' });
      const answer = await patch(dev, apiToken(), { too_big: 'x'.repeat(USER_METADATA_LIMIT_BYTES) });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request', errorCode: 'invalid_body' });
      const metadata = await metadataOf(dev, apiToken());
      expect(metadata).not.toHaveProperty('too_big');
      expect(metadata).toHaveProperty('before_limit', 'kept');
    });

    it('accepts user_metadata just within the limit', async () => {
      const stored = JSON.stringify((await metadataOf(dev, apiToken())) ?? {});
      // The new property adds its name, quotes, colon and comma to the serialized size.
      const room = USER_METADATA_LIMIT_BYTES - Buffer.byteLength(stored) - '"fill":"",'.length;
      expect((await patch(dev, apiToken(), { fill: 'x'.repeat(room) })).status).toBe(200);
      expect((await patch(dev, apiToken(), { fill: null })).status).toBe(200);
    });

    const badBodies: [string, string, Record<string, string>?][] = [
      ['a property besides user_metadata', JSON.stringify({ user_metadata: {}, app_metadata: { role: 'admin' } })],
      ['user_metadata that is not an object', JSON.stringify({ user_metadata: ['a'] })],
      ['no user_metadata', '{}'],
      ['a field name with a dot', JSON.stringify({ user_metadata: { nested: { 'a.b': 1 } } })],
      ['a body that is not JSON', '{"user_metadata":'],
      ['a JSON array', '[]'],
      [
        'a body larger than the limit',
        JSON.stringify({ user_metadata: { big: 'x'.repeat(3 * USER_METADATA_LIMIT_BYTES) } }),
      ],
      ['a form instead of JSON', 'user_metadata=x', { 'content-type': 'application/x-www-form-urlencoded' }],
    ];
    it.each(badBodies)('answers 400 to %s', async (_name, body, headers) => {
      const answer = await call(dev, 'PATCH', ALICE, { token: apiToken(), body, headers });
      expect(answer.status).toBe(400);
      expect(answer.contentType).toMatch(/^application\/json/);
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request', errorCode: 'invalid_body' });
    });

    it("answers 403 to another user's id and leaves that user's metadata alone", async () => {
      const bobTokens = await tokensForDemoUser(dev, { user: bob, audience: dev.managementAudience });
      const answer = await patch(dev, apiToken(), { from_alice: true }, BOB);
      expect(answer.status).toBe(403);
      const bobUser = await call(dev, 'GET', BOB, { token: bobTokens.access_token });
      expect(bobUser.status).toBe(200);
      expect(bobUser.body.user_metadata).toBeUndefined();
    });

    it('answers 403 insufficient_scope to a token with neither metadata scope', async () => {
      const token = await forged({ ...validClaims(), scope: 'openid read:current_user' });
      const answer = await patch(dev, token, { no_scope: 1 });
      expect(answer.status).toBe(403);
      expect(answer.body.errorCode).toBe('insufficient_scope');
    });

    it('lets create:current_user_metadata alone add a property but not change or delete one', async () => {
      const createOnly = await forged({ ...validClaims(), scope: 'openid create:current_user_metadata' });
      expect((await patch(dev, createOnly, { created_only: 1 })).status).toBe(200);
      const change = await patch(dev, createOnly, { created_only: 2 });
      expect(change.status).toBe(403);
      expect(change.body.message).toBe('Insufficient scope, expected any of: update:current_user_metadata');
      expect((await patch(dev, createOnly, { created_only: null })).status).toBe(403);
      expect(await metadataOf(dev, apiToken())).toHaveProperty('created_only', 1);
    });
  });
});
