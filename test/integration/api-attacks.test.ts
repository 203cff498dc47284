import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { base64url, decodeJwt, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import type Koa from 'koa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createManagementApi } from '../../src/sign-in/management-api.js';
import { TestBrowser } from '../support/browser.js';
import { refreshAtDevProvider, tokensForDemoUser } from '../support/dev-provider-tokens.js';
import { providerLogoutToken, signedByProviderKey } from '../support/provider-tokens.js';
import { alice, bob, csrfTokenIn, signedInBrowser } from '../support/sign-in.js';
import { storedSession } from '../support/stored-session.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { currentRefreshToken, expireAccessToken, tokenEndpoint } from '../support/token-endpoint.js';
import { eventually } from '../support/wait.js';

/*
 * Attacks on calling the Management API as the user: what the API may hand back, what a form may
 * carry, sessions ended while their tokens are being refreshed, and tokens the API must refuse.
 */

const ALICE_SUB = 'auth0|64f1c0ffee0000000000a11c';
const BOB_SUB = 'auth0|64f1c0ffee00000000000b0b';

describe('settings and tokens under attack, against the embedded provider', () => {
  const endpoint = tokenEndpoint();
  /** Refresh tokens the provider's token endpoint handed out, and a pause after it did, on demand. */
  const issued: string[] = [];
  /** Every access and refresh token the provider handed out during these tests, to look for in the logs. */
  const everyToken: string[] = [];
  const hold = { afterTokenMs: 0 };
  const recordIssued = async (ctx: Koa.Context, next: Koa.Next) => {
    await next();
    const body = ctx.body as { refresh_token?: unknown; access_token?: unknown } | undefined;
    if (ctx.path !== '/oauth/token' || ctx.status !== 200) return;
    if (typeof body?.refresh_token === 'string') issued.push(body.refresh_token);
    if (typeof body?.access_token === 'string') everyToken.push(body.access_token);
    if (typeof body?.refresh_token === 'string') everyToken.push(body.refresh_token);
    if (hold.afterTokenMs > 0) await new Promise((resolve) => setTimeout(resolve, hold.afterTokenMs));
  };
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ api: true, providerMiddleware: [endpoint.middleware, recordIssued] });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    endpoint.fault.mode = 'none';
    hold.afterTokenMs = 0;
  });

  /** Writes the user's metadata directly at the API with their own token, as another application could. */
  async function writeMetadataElsewhere(user: typeof alice, sub: string, metadata: Record<string, unknown>) {
    const { access_token: token } = await tokensForDemoUser(stack.provider, {
      user,
      audience: stack.provider.managementAudience,
    });
    const response = await fetch(`${stack.provider.managementAudience}users/${encodeURIComponent(sub)}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_metadata: metadata }),
    });
    expect(response.status).toBe(200);
  }

  describe('settings another application wrote into user_metadata', () => {
    afterAll(() => writeMetadataElsewhere(bob, BOB_SUB, { time_zone: null, preferred_name: null }));

    it.each(['Mars/Olympus', 'asia/tokyo', 'Europe/Paris\u0000'])(
      'shows /sessions in UTC rather than failing when the time zone is %j',
      async (zone) => {
        await writeMetadataElsewhere(bob, BOB_SUB, { time_zone: zone });
        const { browser } = await signedInBrowser(stack.appOrigin, { user: bob });
        const sessions = await browser.get(`${stack.appOrigin}/sessions`);
        expect(sessions.status).toBe(200);
        expect(sessions.text).toMatch(/Signed in <time datetime="[^"]+">[^<]+ UTC<\/time>/);
        const account = await browser.get(`${stack.appOrigin}/account`);
        expect(account.status).toBe(200);
        expect(account.text).toContain('<option value="">UTC (default)</option>');
      },
    );

    it('keeps a name of kilobytes out of the header and the session, and shows the real name', async () => {
      const padded = 'B'.repeat(8000);
      await writeMetadataElsewhere(bob, BOB_SUB, { preferred_name: padded, time_zone: null });
      const { browser, cookie, landing } = await signedInBrowser(stack.appOrigin, { user: bob });
      expect(landing.text).not.toContain(padded);
      expect(landing.text).toContain('Hi, Bob');
      const account = await browser.get(`${stack.appOrigin}/account`);
      expect(account.status).toBe(200);
      expect(account.text).not.toContain(padded);
      expect(JSON.stringify((await storedSession(stack.store, cookie))?.data.settings ?? {})).not.toContain(padded);
    });
  });

  describe('POST /account with odd form bodies', () => {
    it('refuses a field sent twice with a 400 beside it, and leaves the saved setting as it was', async () => {
      const { browser } = await signedInBrowser(stack.appOrigin, { user: alice });
      const page = await browser.get(`${stack.appOrigin}/account`);
      const csrf = csrfTokenIn(page);
      const saved = await browser.post(`${stack.appOrigin}/account`, {
        _csrf: csrf,
        preferredName: 'Ally',
        timeZone: 'Asia/Tokyo',
      });
      expect(saved.status).toBe(303);
      for (const body of [
        `_csrf=${encodeURIComponent(csrf)}&preferredName=A&preferredName=B&timeZone=Asia%2FTokyo`,
        `_csrf=${encodeURIComponent(csrf)}&preferredName=Ally&timeZone=UTC&timeZone=Asia%2FTokyo`,
      ]) {
        // A raw body, as a script could send it: the browser helper passes a string through unchanged.
        const twice = await browser.post(`${stack.appOrigin}/account`, body as unknown as Record<string, string>);
        expect(twice.status).toBe(400);
        expect(twice.text).toContain('Send this field once.');
      }
      const after = await browser.get(`${stack.appOrigin}/account`);
      expect(after.text).toContain('Hi, Ally');
      expect(after.text).toContain('<option value="Asia/Tokyo" selected>');
      await browser.post(`${stack.appOrigin}/account`, { _csrf: csrf, preferredName: '', timeZone: '' });
    });

    it('answers any form body with 303, 400, 403 or 413, never echoing markup unescaped', async () => {
      const { browser } = await signedInBrowser(stack.appOrigin, { user: bob });
      const csrf = csrfTokenIn(await browser.get(`${stack.appOrigin}/account`));
      const injected = '<b id="injected">';
      const names = fc.constantFrom(
        'preferredName',
        'timeZone',
        '_csrf',
        '__proto__',
        'constructor',
        'preferredName[]',
        'toString',
        'hasOwnProperty',
      );
      const values = fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.constantFrom(injected, 'Europe/Paris', 'UTC', csrf, 'A'.repeat(5000), '\u0000', '%', '&='),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(names, values), { maxLength: 12 }),
          fc.boolean(),
          async (fields, withCsrf) => {
            const pairs = withCsrf ? [['_csrf', csrf] as const, ...fields] : fields;
            const body = pairs
              .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
              .join('&');
            const answer = await browser.post(`${stack.appOrigin}/account`, body as unknown as Record<string, string>);
            expect([303, 400, 403, 413]).toContain(answer.status);
            expect(answer.text).not.toContain(injected);
            expect(answer.text).not.toMatch(/at [\w.<>]+ \(|node_modules|\/src\//);
          },
        ),
        { numRuns: 60 },
      );
      expect((await browser.get(`${stack.appOrigin}/account`)).status).toBe(200);
      await browser.post(`${stack.appOrigin}/account`, { _csrf: csrf, preferredName: '', timeZone: '' });
    });
  });

  describe('sessions ended while their tokens are refreshed', () => {
    it('revokes the new refresh token too when the session is logged out after the provider rotated it', async () => {
      const { browser, cookie, csrf } = await signedInBrowser(stack.appOrigin, { user: bob });
      await expireAccessToken(stack.store, cookie);
      hold.afterTokenMs = 400;
      issued.length = 0;
      const revokedBefore = endpoint.seen.revocations;
      const calling = browser.get(`${stack.appOrigin}/account`);
      // The provider has rotated the refresh token; the app has not stored the new one yet.
      await eventually(() => issued.length > 0, 5000, 'the refresh at the provider');
      expect((await browser.post(`${stack.appOrigin}/logout`, { _csrf: csrf })).status).toBe(303);
      await calling;
      // The old one at logout, and the new one once the refresh found its session ended.
      await eventually(() => endpoint.seen.revocations >= revokedBefore + 2, 5000, 'both revocations');
      const [rotated] = issued;
      expect((await refreshAtDevProvider(stack.provider, rotated ?? '')).body.error).toBe('invalid_grant');
      expect(await stack.store.readTokens(cookie)).toBeUndefined();
    });

    it('revokes the refresh token of a session ended by back-channel logout', async () => {
      const { cookie } = await signedInBrowser(stack.appOrigin, { user: bob });
      const sid = (await storedSession(stack.store, cookie))?.data.sid;
      const refreshToken = await currentRefreshToken(stack.store, cookie);
      const revokedBefore = endpoint.seen.revocations;
      const answer = await new TestBrowser().post(`${stack.appOrigin}/backchannel-logout`, {
        logout_token: await providerLogoutToken(stack.provider, { sub: BOB_SUB, sid }),
      });
      expect(answer.status).toBe(200);
      await eventually(() => endpoint.seen.revocations > revokedBefore, 5000, 'the revocation at the provider');
      expect((await refreshAtDevProvider(stack.provider, refreshToken)).body.error).toBe('invalid_grant');
    });
  });

  it('never writes a token the provider handed out to a log line, after all of the above', () => {
    expect(everyToken.length).toBeGreaterThan(5);
    const logs = stack.logs.text();
    expect(everyToken.filter((token) => logs.includes(token))).toEqual([]);
  });

  describe("the provider's Management API refuses tokens it did not issue for it", () => {
    let claims: JWTPayload;
    beforeAll(async () => {
      const { access_token: token } = await tokensForDemoUser(stack.provider, {
        user: alice,
        audience: stack.provider.managementAudience,
      });
      claims = decodeJwt(token);
    });
    const get = (token: string) =>
      fetch(`${stack.provider.managementAudience}users/${encodeURIComponent(ALICE_SUB)}`, {
        headers: { authorization: `Bearer ${token}` },
      });

    const forgeries: [string, () => Promise<string>][] = [
      ['an unsigned token (alg none)', () => Promise.resolve(`${new UnsecuredJWT(claims).encode()}sig`)],
      [
        'a token signed with HS256 under the public key',
        () => {
          const { n = '' } = stack.signingKey;
          return new SignJWT(claims)
            .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: stack.signingKey.kid })
            .sign(base64url.decode(n));
        },
      ],
      ['a token typed as a plain JWT', () => signedByProviderKey(stack.signingKey, claims, { typ: 'JWT' })],
      [
        "a token of alice's naming bob",
        () => signedByProviderKey(stack.signingKey, { ...claims, sub: BOB_SUB }, { typ: 'at+jwt' }),
      ],
    ];
    it('accepts the token as issued (each forgery below changes one thing)', async () => {
      expect((await get(await signedByProviderKey(stack.signingKey, claims, { typ: 'at+jwt' }))).status).toBe(200);
    });
    it.each(forgeries)('answers %s with 401 or 403', async (_name, forge) => {
      expect([401, 403]).toContain((await get(await forge())).status);
    });
  });
});

describe('the Management API client against a misbehaving API', () => {
  let server: Server;
  let base: string;
  let answer: (res: ServerResponse) => void = (res) => res.end();
  beforeAll(async () => {
    server = createServer((_req, res) => {
      answer(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('stops reading an answer that declares no length once it passes the limit', async () => {
    const limit = 32 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    let finished: Promise<void> = Promise.resolve();
    answer = (res) => {
      finished = new Promise((resolve) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const pump = () => {
          while (sent < limit && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        res.on('close', () => resolve());
        pump();
      });
    };
    const api = createManagementApi(base, 10_000);
    await expect(api.readSettings('token', ALICE_SUB)).rejects.toMatchObject({ status: 502 });
    await finished;
    expect(sent).toBeLessThan(limit / 4);
  });

  it('answers 504 when the API sends its headers and then stalls its body', async () => {
    answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"user_metadata":');
    };
    const api = createManagementApi(base, 600);
    await expect(api.readSettings('token', ALICE_SUB)).rejects.toMatchObject({
      status: 504,
      publicError: { title: 'Account service too slow' },
    });
  });

  it.each<[string, (res: ServerResponse) => void]>([
    ['a redirect', (res) => res.writeHead(302, { location: 'http://127.0.0.1:9/api/v2/users/x' }).end()],
    ['HTML with status 200', (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hi</h1>')],
    ['a 500 whose message quotes a token', (res) => res.writeHead(500).end('{"message":"bad token eyJhbGc"}')],
    ['a JSON array instead of a user', (res) => res.writeHead(200).end('[{"user_metadata":{}}]')],
    ['user_metadata that is an array', (res) => res.writeHead(200).end('{"user_metadata":["Alice"]}')],
    ['user_metadata that is null', (res) => res.writeHead(200).end('{"user_metadata":null}')],
  ])('words %s as "could not be reached", never with what the API said', async (_name, respond) => {
    answer = respond;
    const api = createManagementApi(base, 2000);
    const refused = await api.readSettings('token', ALICE_SUB).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 502, publicError: { title: 'Account service error' } });
    expect(JSON.stringify((refused as { publicError: unknown }).publicError)).not.toMatch(/eyJ|<h1>|127\.0\.0\.1/);
  });
});
