import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { setCookies } from '../support/page-checks.js';
import { bob, openLoginPage, reachCallback, signIn, submitLogin } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { SESSION_COOKIE_VALUE, storedSession } from '../support/stored-session.js';

describe('signing in with the authorization code flow', () => {
  let stack: TestStack;
  const tokenRequests: { authorization?: string; body: string }[] = [];
  const userinfoAuthorization: (string | undefined)[] = [];

  beforeAll(async () => {
    stack = await startTestStack({
      providerMiddleware: [
        async (ctx, next) => {
          if (ctx.path === '/oauth/token')
            tokenRequests.push({ authorization: ctx.get('authorization') || undefined, body: '' });
          if (ctx.path === '/userinfo') userinfoAuthorization.push(ctx.get('authorization') || undefined);
          await next();
        },
      ],
    });
  });
  afterAll(() => stack.close());

  describe('GET /profile as an anonymous visitor', () => {
    it('redirects to the provider with code, PKCE S256, state, nonce and the profile scopes', async () => {
      const browser = new TestBrowser();
      const response = await browser.get(`${stack.appOrigin}/profile`);
      expect(response.status).toBe(302);
      const location = new URL(response.headers.location as string);
      expect(`${location.origin}${location.pathname}`).toBe(`${stack.provider.origin}/authorize`);
      const params = Object.fromEntries(location.searchParams);
      expect(params).toMatchObject({
        response_type: 'code',
        client_id: stack.config.issuer.clientID,
        redirect_uri: `${stack.appOrigin}/callback`,
        scope: 'openid profile email',
        code_challenge_method: 'S256',
      });
      expect(params.code_challenge).toMatch(/^[\w-]{43,}$/);
      expect(params.nonce).toMatch(/^[\w-]{32,}$/);
      expect(params.state).toBeTruthy();
      expect(params).not.toHaveProperty('response_mode', 'form_post');
    });

    it('answers a JSON client with 401 instead of a redirect', async () => {
      const response = await new TestBrowser().get(`${stack.appOrigin}/profile`, { accept: 'application/json' });
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ error: { status: 401 } });
    });
  });

  describe('the provider login page', () => {
    it('is labelled as a development stand-in and shows the demo credentials', async () => {
      const { loginPage } = await openLoginPage(new TestBrowser(), `${stack.appOrigin}/login`);
      expect(loginPage.status).toBe(200);
      expect(loginPage.text).toContain('Development sign-in — not Auth0');
      expect(loginPage.text).toContain('alice@example.com');
      expect(loginPage.text).toContain('wonderland');
    });

    it('shows an error and stays on the page after a wrong password', async () => {
      const browser = new TestBrowser();
      const { loginPage } = await openLoginPage(browser, `${stack.appOrigin}/login`);
      const wrong = await submitLogin(browser, loginPage, 'alice@example.com', 'not-the-password');
      expect(wrong.status).toBe(401);
      expect(wrong.text).toContain('Wrong email or password.');
      expect(wrong.text).toContain('value="alice@example.com"');
      const right = await submitLogin(browser, loginPage, 'alice@example.com', 'wonderland');
      expect(right.status).toBe(303);
    });
  });

  describe('a complete sign-in', () => {
    let browser: TestBrowser;
    let result: Awaited<ReturnType<typeof signIn>>;

    beforeAll(async () => {
      tokenRequests.length = 0;
      userinfoAuthorization.length = 0;
      browser = new TestBrowser();
      result = await signIn(browser, stack.appOrigin, undefined, '/profile');
    });

    it('returns to the page that asked for the sign-in', () => {
      expect(result.callback.status).toBe(302);
      expect(result.callback.headers.location).toBe('/profile');
      expect(result.landing.url).toBe(`${stack.appOrigin}/profile`);
      expect(result.landing.status).toBe(200);
    });

    it('receives code, state and iss at the callback', () => {
      expect([...result.callbackUrl.searchParams.keys()].sort()).toEqual(['code', 'iss', 'state']);
    });

    it('redeems the code with HTTP Basic client authentication', () => {
      expect(tokenRequests).toHaveLength(1);
      const credentials = Buffer.from(
        tokenRequests[0]?.authorization?.replace(/^Basic /, '') ?? '',
        'base64',
      ).toString();
      // RFC 6749 2.3.1: both parts are form-urlencoded before they are joined.
      expect(credentials.split(':').map(decodeURIComponent)).toEqual([
        stack.config.issuer.clientID,
        stack.config.issuer.clientSecret,
      ]);
    });

    it('fetches /userinfo once, with the access token in the Authorization header', () => {
      expect(userinfoAuthorization).toHaveLength(1);
      expect(userinfoAuthorization[0]).toMatch(/^Bearer \S+$/);
    });

    it('shows the profile: avatar, name, email, verified badge and the claims as JSON', () => {
      const page = result.landing.text;
      expect(page).toContain('<h1>Alice Liddell</h1>');
      expect(page).toContain('alice@example.com');
      expect(page).toMatch(/<img class="avatar" src="http:\/\/127\.0\.0\.1:\d+\/assets\/avatars\/alice\.svg"/);
      expect(page).toContain('<span class="badge verified">Verified</span>');
      expect(page).toMatch(/<pre class="claims"[^>]*>\{\n {2}&#34;sub&#34;: &#34;auth0\|64f1c0ffee0000000000a11c&#34;/);
    });

    it('keeps only a signed session id in an HttpOnly, SameSite=Lax cookie', () => {
      const sessionCookie = setCookies(result.callback.headers).find((cookie) => cookie.name === 'session');
      expect(sessionCookie).toBeDefined();
      expect(sessionCookie?.attributes).toMatchObject({ httponly: true, samesite: 'Lax', path: '/' });
      expect(sessionCookie?.attributes).not.toHaveProperty('secure');
      // 32 hex characters of id, a dot, and a signature: no token, no claim.
      expect(sessionCookie?.value).toMatch(SESSION_COOKIE_VALUE);
      expect(sessionCookie?.value.length).toBeLessThan(100);
    });

    it('keeps the ID token and the profile on the server, but not the access token once /userinfo is read', async () => {
      const stored = await storedSession(stack.store, browser.cookies(stack.appOrigin).session ?? '');
      expect(stored?.data.id_token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(stored?.data.userinfo?.sub).toBe('auth0|64f1c0ffee0000000000a11c');
      expect(stored?.data).not.toHaveProperty('access_token');
      expect(stored?.data).not.toHaveProperty('refresh_token');
    });

    it('clears the transaction cookie at the callback', () => {
      const transaction = setCookies(result.callback.headers).find((cookie) => cookie.name === 'auth_verification');
      expect(transaction?.value).toBe('');
    });

    it("shows the user's name and Log out on the home page", async () => {
      const home = await browser.get(`${stack.appOrigin}/`);
      expect(home.text).toContain('Welcome, Alice Liddell');
      expect(home.text).toMatch(/<button[^>]*>Log out<\/button>/);
      expect(home.text).not.toContain('>Log in<');
    });

    it('marks pages with personal data as not cacheable', async () => {
      const page = await browser.get(`${stack.appOrigin}/profile`);
      expect(page.headers['cache-control']).toBe('no-store');
    });
  });

  it('shows an initials avatar and a not-verified badge for a user without picture', async () => {
    const { landing } = await signIn(new TestBrowser(), stack.appOrigin, bob, '/profile');
    expect(landing.text).toContain('<span class="avatar avatar-initials" aria-hidden="true">BB</span>');
    expect(landing.text).not.toContain('<img class="avatar"');
    expect(landing.text).toContain('<span class="badge unverified">Not verified</span>');
  });

  it('honours a same-site returnTo on /login and ignores a foreign one', async () => {
    const own = await signIn(new TestBrowser(), stack.appOrigin, undefined, '/login?returnTo=%2Fprofile');
    expect(own.callback.headers.location).toBe('/profile');
    const foreign = await signIn(
      new TestBrowser(),
      stack.appOrigin,
      undefined,
      '/login?returnTo=https%3A%2F%2Fevil.example',
    );
    expect(foreign.callback.headers.location).toBe('/');
  });

  it('never reuses a session id that existed before the sign-in', async () => {
    const browser = new TestBrowser();
    const planted = `${'ab'.repeat(16)}.forged-signature`;
    const { authorizeUrl, callbackUrl } = await reachCallback(browser, stack.appOrigin);
    expect(authorizeUrl.pathname).toBe('/authorize');
    const callback = await browser.get(callbackUrl.href, { cookie: `session=${planted}` });
    expect(callback.status).toBe(302);
    // The forged cookie is cleared first, then the new session's cookie is set: the last one wins.
    const issued = setCookies(callback.headers)
      .filter((cookie) => cookie.name === 'session')
      .at(-1);
    expect(issued?.value).toMatch(SESSION_COOKIE_VALUE);
    expect(issued?.value.split('.')[0]).not.toBe(planted.split('.')[0]);
    expect(browser.cookies(stack.appOrigin).session).toBe(issued?.value);
  });

  it('sends a visitor who is already signed in straight back instead of signing in again', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack.appOrigin);
    const again = await browser.get(`${stack.appOrigin}/login?returnTo=%2Fprofile`);
    expect(again.status).toBe(302);
    expect(again.headers.location).toBe('/profile');
  });
});
