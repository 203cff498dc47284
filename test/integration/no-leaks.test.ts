import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBrowser } from '../support/browser.js';
import { demoUsers } from '../../src/dev-provider/demo-users.js';
import {
  forgeIdTokens,
  resignedByProvider,
  signedWithForeignKey,
  type IdTokenForgery,
} from '../support/id-token-forgery.js';
import { leaksIn, setCookies } from '../support/page-checks.js';
import { bob, signedInBrowser, signIn } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { recordTokens } from '../support/token-recorder.js';

/**
 * Runs sign-ins, pages, failures and logouts, then looks for every secret of those runs (taken
 * from the provider's side, the config and the cookies) in every page body and in the whole log.
 */
describe('what must never leak into pages or logs', () => {
  let stack: TestStack;
  const recorder = recordTokens();
  let forgery: IdTokenForgery | undefined;
  let userinfoDown = false;
  let userinfoPatch: ((body: Record<string, unknown>) => Record<string, unknown>) | undefined;
  let authorizationError: { error: string; description: string } | undefined;
  const refusedUser = demoUsers.find((user) => user.email === bob.email);
  const browsers: TestBrowser[] = [];
  const csrfTokens: string[] = [];

  const browser = () => {
    const created = stack.newBrowser();
    browsers.push(created);
    return created;
  };
  const appPages = () =>
    browsers.flatMap((used) => used.history).filter((page) => page.url.startsWith(stack.appOrigin));
  const cookieValues = () =>
    appPages()
      .flatMap((page) => setCookies(page.headers))
      .map((cookie) => cookie.value)
      .filter((value) => value.length > 8);

  beforeAll(async () => {
    stack = await startTestStack({
      providerMiddleware: [
        recorder.middleware,
        forgeIdTokens(() => forgery),
        async (ctx, next) => {
          if (userinfoDown && ctx.path === '/userinfo') {
            ctx.status = 500;
            ctx.body = { error: 'server_error' };
            return;
          }
          await next();
          if (userinfoPatch && ctx.oidc?.route === 'userinfo')
            ctx.body = userinfoPatch(ctx.body as Record<string, unknown>);
          // The provider's answer to a finished login turned into an error response, as an Auth0 Action denying it would.
          if (authorizationError && ctx.oidc?.route === 'resume') {
            const location = new URL(ctx.response.get('location'));
            location.searchParams.delete('code');
            location.searchParams.set('error', authorizationError.error);
            location.searchParams.set('error_description', authorizationError.description);
            ctx.redirect(location.href);
          }
        },
      ],
    });
    const app = stack.appOrigin;

    const { browser: alice, csrf } = await signedInBrowser(app, { browser: browser() });
    csrfTokens.push(csrf);
    await alice.get(`${app}/`);
    await alice.get(`${app}/logout`);
    await alice.get(`${app}/no/such/page`);
    await alice.get(`${app}/no/such/page`, { accept: 'application/json' });
    await alice.post(`${app}/logout`, { _csrf: 'wrong' }, { origin: app });
    await alice.post(`${app}/logout`, { _csrf: 'x'.repeat(10_000) });
    await browser().get(`${app}/callback?code=guessed&state=guessed`);

    forgery = signedWithForeignKey(String(stack.signingKey.kid));
    await signIn(browser(), app, bob);
    // Claims wrong but the signature right: the ID token of this sign-in carries Bob's email and name.
    forgery = resignedByProvider(stack.signingKey, (claims) => ({ ...claims, aud: 'another-client' }));
    await signIn(browser(), app, bob);
    forgery = undefined;
    userinfoDown = true;
    await signIn(browser(), app);
    userinfoDown = false;
    // A userinfo answer for another subject: openid-client keeps the whole body (Bob's claims) on its error.
    userinfoPatch = (body) => ({ ...body, sub: `${String(body.sub)}-someone-else` });
    await signIn(browser(), app, bob);
    // A userinfo answer that does not parse (a ValiError).
    userinfoPatch = (body) => ({ ...body, name: 1234, email_verified: 'yes' });
    await signIn(browser(), app, bob);
    userinfoPatch = undefined;
    // A rule that denies the sign-in and names the user in its description, as Auth0 Actions may.
    authorizationError = {
      error: 'access_denied',
      description: `Please verify your email ${String(refusedUser?.email)} (${String(refusedUser?.name)}) before logging in.`,
    };
    await signIn(browser(), app, bob);
    authorizationError = undefined;

    await alice.post(`${app}/logout`, { _csrf: csrf }, { origin: app });
  });
  afterAll(() => stack.close());

  const secrets = () => ({
    tokens: recorder.tokens(),
    'codes and PKCE verifiers': recorder.codes(),
    'the client secret': [stack.config.issuer.clientSecret],
    'the cookie secret': stack.config.secrets,
    'cookie values': cookieValues(),
  });

  it('ran the failures it meant to run', () => {
    const statuses = appPages().map((page) => page.status);
    expect(statuses).toEqual(expect.arrayContaining([200, 302, 303, 400, 403, 404, 413, 502]));
    expect(recorder.tokens().length).toBeGreaterThanOrEqual(6);
    expect(recorder.codes().length).toBeGreaterThanOrEqual(6);
  });

  it('shows no token, code, secret or cookie value in any page', () => {
    // A redirect's body only repeats its Location, checked below.
    const pages = appPages().filter((page) => page.status < 300 || page.status >= 400);
    for (const [kind, values] of Object.entries(secrets())) {
      expect(values.length, kind).toBeGreaterThan(0);
      const found = pages.filter((page) => values.some((value) => page.text.includes(value)));
      expect(
        found.map((page) => `${page.status} ${page.url}`),
        kind,
      ).toEqual([]);
    }
  });

  it('sends a token in a redirect only as the id_token_hint of the provider logout', () => {
    const secretValues = Object.values(secrets()).flat();
    for (const page of appPages().filter((shown) => typeof shown.headers.location === 'string')) {
      const location = new URL(String(page.headers.location), page.url);
      if (location.pathname === '/oidc/logout') location.searchParams.delete('id_token_hint');
      expect(
        secretValues.filter((value) => location.href.includes(value)),
        location.href,
      ).toEqual([]);
    }
  });

  it('shows no stack trace or library message on any error page', () => {
    for (const page of appPages().filter((shown) => shown.status >= 400)) {
      expect(leaksIn(page.text), `${page.status} ${page.url}`).toEqual([]);
    }
  });

  it('writes no claim of a refused sign-in (email, name) and nothing shaped like a JWT to the log', () => {
    const log = stack.logs.text();
    expect(refusedUser).toBeDefined();
    for (const value of [refusedUser?.email, refusedUser?.name, refusedUser?.family_name]) {
      expect(log.includes(String(value)), String(value)).toBe(false);
    }
    expect(log.match(/eyJ[\w-]*\.[\w-]+\.[\w-]*/g) ?? []).toEqual([]);
  });

  it('still says why each sign-in failed: the library error codes are kept', () => {
    const errors = stack.logs
      .lines()
      .filter((line) => line.event === 'auth.login.failed' || line.msg === 'request refused')
      .map((line) => JSON.stringify(line.err));
    for (const code of [
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
      'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
      'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
      'access_denied',
    ]) {
      expect(
        errors.filter((err) => err.includes(`"${code}"`)),
        code,
      ).not.toEqual([]);
    }
  });

  it('writes a stack trace only for unexpected failures (500), never for a refusal or a provider failure', () => {
    const withStack = stack.logs.lines().filter((line) => JSON.stringify(line).includes('"stack"'));
    expect(withStack.map((line) => line.status)).toEqual(withStack.map(() => 500));
    expect(stack.logs.lines().filter((line) => line.status === 500)).not.toEqual([]);
  });

  it('writes no token, code, secret, cookie value or CSRF token to the log', () => {
    const log = stack.logs.text();
    expect(log.length).toBeGreaterThan(1000);
    for (const [kind, values] of Object.entries({ ...secrets(), 'CSRF tokens': csrfTokens })) {
      expect(
        values.filter((value) => log.includes(value)),
        kind,
      ).toEqual([]);
    }
  });
});
