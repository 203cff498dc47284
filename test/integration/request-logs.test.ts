import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { alice, signIn } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { demoUsers } from '../../src/dev-provider/demo-users.js';
import { deriveSecretKeys, userLogId } from '../../src/sessions/session-keys.js';

type LogLine = Record<string, unknown> & {
  req?: { id?: string; method?: string; path?: string };
  res?: { status?: number };
};

describe('request logs', () => {
  let stack: TestStack;
  /** Every token the provider handed out, captured on its side so the test knows the real values. */
  const issued: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack({
      providerMiddleware: [
        async (ctx, next) => {
          await next();
          if (ctx.oidc?.route === 'token' && ctx.body && typeof ctx.body === 'object') {
            const body = ctx.body as Record<string, unknown>;
            for (const key of ['access_token', 'id_token', 'refresh_token'])
              if (typeof body[key] === 'string') issued.push(body[key]);
          }
        },
      ],
    });
  });
  afterAll(() => stack.close());

  const requestLines = () =>
    stack.logs.lines().filter((line): line is LogLine => typeof line.responseTime === 'number');
  const lineFor = (requestId: string) => requestLines().find((line) => line.reqId === requestId);

  it('writes one line per request: id, method, path without the query, status, duration', async () => {
    const response = await new TestBrowser().get(`${stack.appOrigin}/login?returnTo=%2Fprofile`, {
      'x-request-id': 'trace-login-1',
    });
    expect(response.headers['x-request-id']).toBe('trace-login-1');
    const lines = requestLines().filter((line) => line.reqId === 'trace-login-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      req: { method: 'GET', path: '/login' },
      res: { status: 302 },
      msg: 'GET /login 302',
    });
    expect(lines[0]?.responseTime).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(lines[0])).not.toContain('returnTo');
  });

  it("adds a keyed hash of the signed-in user's id, the same on every line of that user, never the id itself", async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack.appOrigin);
    const profile = await browser.get(`${stack.appOrigin}/profile`, { 'x-request-id': 'trace-profile-1' });
    expect(profile.status).toBe(200);
    const expected = userLogId(deriveSecretKeys(stack.config.secrets), demoUsers[0]?.sub ?? '');
    expect(lineFor('trace-profile-1')).toMatchObject({ user: expected, res: { status: 200 } });
    expect(expected).toMatch(/^[\w-]{16}$/);
    expect(stack.logs.text()).not.toContain(demoUsers[0]?.sub ?? 'no user');
    const anonymous = await new TestBrowser().get(`${stack.appOrigin}/`, { 'x-request-id': 'trace-home-anon' });
    expect(anonymous.status).toBe(200);
    expect(lineFor('trace-home-anon')).not.toHaveProperty('user');
  });

  it.each([
    ['too long', 'x'.repeat(65)],
    ['with spaces', 'two words'],
    ['with markup', '<b>id</b>'],
    ['with a line break', 'a\r\nSet-Cookie: x=1'],
  ])('replaces an incoming request id that is not a sane token (%s) with a generated one', async (_case, incoming) => {
    const response = await fetch(`${stack.appOrigin}/nope`, {
      headers: { 'x-request-id': incoming.replace(/[\r\n]/g, ' ') },
    });
    const id = response.headers.get('x-request-id') ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.text()).toContain(`Request id: <code>${id}</code>`);
    expect(lineFor(id)).toMatchObject({ res: { status: 404 }, level: 40 });
  });

  it('logs health probes at debug level only, whatever their answer', async () => {
    await new TestBrowser().get(`${stack.appOrigin}/healthz`, { 'x-request-id': 'probe-healthz' });
    await new TestBrowser().get(`${stack.appOrigin}/readyz`, { 'x-request-id': 'probe-readyz' });
    expect(lineFor('probe-healthz')).toMatchObject({ level: 20 });
    expect(lineFor('probe-readyz')).toMatchObject({ level: 20 });
  });

  it('never contains a cookie, token, code, password or secret, across sign-in, profile, logout and failures', async () => {
    const browser = new TestBrowser();
    const { callbackUrl } = await signIn(browser, stack.appOrigin);
    const cookies = browser.cookies(stack.appOrigin);
    const profile = await browser.get(`${stack.appOrigin}/profile`, {
      cookie: `session=${cookies.session ?? ''}`,
      authorization: 'Bearer should-never-be-logged-1234',
    });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(profile.text)?.[1];
    expect(csrf).toBeDefined();
    // A replayed callback (the code is used up) and a forged one fail, and get logged with their reasons.
    await new TestBrowser().get(callbackUrl.href);
    await browser.post(`${stack.appOrigin}/logout`, { _csrf: csrf ?? '' }, { origin: stack.appOrigin });

    const secrets = {
      code: callbackUrl.searchParams.get('code'),
      sessionCookie: cookies.session,
      csrfToken: csrf,
      clientSecret: stack.config.issuer.clientSecret,
      cookieSecret: stack.config.secrets[0],
      password: alice.password,
      bearer: 'should-never-be-logged-1234',
    };
    expect(issued.length).toBeGreaterThanOrEqual(2);
    const log = stack.logs.text();
    expect(log.length).toBeGreaterThan(1000);
    for (const [name, value] of Object.entries(secrets)) {
      expect(value, name).toBeTruthy();
      expect(log.includes(value ?? ''), `${name} appears in the log`).toBe(false);
    }
    for (const token of issued) {
      expect(log.includes(token), 'a token appears in the log').toBe(false);
      // Not even its signature part alone.
      expect(log.includes(token.split('.').pop() ?? token)).toBe(false);
    }
  });
});
