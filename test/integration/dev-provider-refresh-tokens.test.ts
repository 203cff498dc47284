import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevProvider, type DevProvider } from '../../src/dev-provider/dev-provider.js';
import {
  refreshAtDevProvider,
  revokeAtDevProvider,
  tokensForDemoUser,
  type TokenResponse,
} from '../support/dev-provider-tokens.js';
import { captureLogs } from '../support/logs.js';

/*
 * Refresh tokens at the embedded provider behave as Auth0's with "Refresh Token Rotation" on and a
 * reuse interval of 0: every refresh rotates, and presenting a used token revokes its whole family.
 */

function refreshed(body: Record<string, unknown>): TokenResponse {
  if (typeof body.access_token !== 'string')
    throw new Error(`no access token in the refresh answer: ${String(body.error)}`);
  return body as unknown as TokenResponse;
}

describe('refreshing an API access token', () => {
  let dev: DevProvider;
  beforeAll(async () => {
    dev = await startDevProvider({ appBaseURL: 'http://localhost:9', nodeEnv: 'test', logger: captureLogs().logger });
  });
  afterAll(() => dev.close());

  const signIn = () => tokensForDemoUser(dev, { audience: dev.managementAudience });

  it('returns a new access token for the same audience and scopes, with a fresh expiry', async () => {
    const first = await signIn();
    const { status, body } = await refreshAtDevProvider(dev, String(first.refresh_token));
    expect(status).toBe(200);
    const before = decodeJwt(first.access_token);
    const after = decodeJwt(refreshed(body).access_token);
    expect(refreshed(body).access_token).not.toBe(first.access_token);
    expect(after.aud).toEqual(before.aud);
    expect(after.scope).toBe(before.scope);
    expect(after.sub).toBe(before.sub);
    expect(Number(after.exp) - Number(after.iat)).toBe(120);
    expect(Number(after.iat)).toBeGreaterThanOrEqual(Number(before.iat));
  });

  it('rotates: every refresh returns a new refresh token', async () => {
    const first = await signIn();
    const second = refreshed((await refreshAtDevProvider(dev, String(first.refresh_token))).body);
    const third = refreshed((await refreshAtDevProvider(dev, String(second.refresh_token))).body);
    expect(new Set([first.refresh_token, second.refresh_token, third.refresh_token]).size).toBe(3);
  });

  it('answers invalid_grant to a refresh token used before, and then revokes its whole family', async () => {
    const first = await signIn();
    const second = refreshed((await refreshAtDevProvider(dev, String(first.refresh_token))).body);
    const newest = refreshed((await refreshAtDevProvider(dev, String(second.refresh_token))).body);

    const reused = await refreshAtDevProvider(dev, String(first.refresh_token));
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');

    const afterReuse = await refreshAtDevProvider(dev, String(newest.refresh_token));
    expect(afterReuse.status).toBe(400);
    expect(afterReuse.body.error).toBe('invalid_grant');
  });

  it("leaves another sign-in's refresh tokens alone when one family is revoked", async () => {
    const other = await signIn();
    const first = await signIn();
    await refreshAtDevProvider(dev, String(first.refresh_token));
    await refreshAtDevProvider(dev, String(first.refresh_token));
    expect((await refreshAtDevProvider(dev, String(other.refresh_token))).status).toBe(200);
  });

  it('refuses a refresh token revoked at /oauth/revoke', async () => {
    const { refresh_token } = await signIn();
    expect(await revokeAtDevProvider(dev, String(refresh_token))).toBe(200);
    const { status, body } = await refreshAtDevProvider(dev, String(refresh_token));
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it("lives 15 days unused, Auth0's default inactivity lifetime", async () => {
    const { refresh_token } = await signIn();
    const stored = await dev.provider.RefreshToken.find(String(refresh_token));
    expect(Number(stored?.exp) - Number(stored?.iat)).toBe(15 * 24 * 60 * 60);
  });

  it('belongs to a grant that outlives its absolute lifetime of 30 days, so the grant never ends refreshing first', async () => {
    const { refresh_token } = await signIn();
    const stored = await dev.provider.RefreshToken.find(String(refresh_token));
    const grant = await dev.provider.Grant.find(String(stored?.grantId));
    expect(Number(grant?.exp) - Number(stored?.iat)).toBeGreaterThanOrEqual(30 * 24 * 60 * 60);
  });
});
