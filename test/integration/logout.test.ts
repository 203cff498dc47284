import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../support/browser.js';
import { setCookies } from '../support/page-checks.js';
import { signedInBrowser } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { storeIdOf } from '../support/stored-session.js';

describe('logging out', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  describe('POST /logout with the CSRF token', () => {
    let signedIn: Awaited<ReturnType<typeof signedInBrowser>>;
    let response: Page;

    beforeAll(async () => {
      signedIn = await signedInBrowser(stack.appOrigin);
      response = await signedIn.browser.post(
        `${stack.appOrigin}/logout`,
        { _csrf: signedIn.csrf },
        { origin: stack.appOrigin },
      );
    });

    it("redirects to the provider's end-session endpoint with id_token_hint and the return URL", () => {
      expect(response.status).toBe(303);
      const location = new URL(response.headers.location as string);
      expect(`${location.origin}${location.pathname}`).toBe(`${stack.provider.origin}/oidc/logout`);
      expect(location.searchParams.get('post_logout_redirect_uri')).toBe(stack.appOrigin);
      expect(location.searchParams.get('client_id')).toBe(stack.config.issuer.clientID);
      expect(location.searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    });

    it('clears the session cookie', () => {
      const cleared = setCookies(response.headers).find((cookie) => cookie.name === 'session');
      expect(cleared?.value).toBe('');
      expect(new Date(String(cleared?.attributes.expires)).getTime()).toBeLessThan(Date.now());
    });

    it('destroys the stored session, so a copied cookie is worthless', async () => {
      const replay = await new TestBrowser().get(`${stack.appOrigin}/profile`, {
        cookie: `session=${signedIn.cookie}`,
      });
      expect(replay.status).toBe(302);
      expect(replay.headers.location).toMatch(new RegExp(`^${stack.provider.origin}/authorize\\?`));
      const id = storeIdOf(signedIn.cookie);
      const stored = await new Promise((resolve) => stack.store.get(id, (_err, value) => resolve(value)));
      expect(stored).toBeNull();
    });

    it('ends the provider session too and comes back to the home page showing Log in', async () => {
      const endSession = await signedIn.browser.get(response.headers.location as string);
      expect(endSession.status).toBe(200);
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(endSession.text)?.[1] ?? '';
      const confirmed = await signedIn.browser.post(`${stack.provider.origin}/oidc/logout/confirm`, {
        xsrf,
        logout: 'yes',
      });
      expect(confirmed.status).toBe(303);
      expect(new URL(confirmed.headers.location as string).href).toBe(`${stack.appOrigin}/`);
      const home = await signedIn.browser.get(`${stack.appOrigin}/`);
      expect(home.text).toContain('>Log in<');
      // The provider forgot the user: a new sign-in shows its login form again.
      const again = await signedIn.browser.get(`${stack.appOrigin}/login`);
      const { visited } = await signedIn.browser.follow(again);
      expect(visited.at(-1)?.text).toContain('Log in</h1>');
    });
  });

  it('refuses a POST without the CSRF token and keeps the session', async () => {
    const { browser } = await signedInBrowser(stack.appOrigin);
    const refused = await browser.post(`${stack.appOrigin}/logout`, {});
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Request refused');
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
  });

  it('refuses a cross-site POST even with a valid token', async () => {
    const { browser, csrf } = await signedInBrowser(stack.appOrigin);
    const refused = await browser.post(
      `${stack.appOrigin}/logout`,
      { _csrf: csrf },
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    );
    expect(refused.status).toBe(403);
    const withoutFetchMetadata = await browser.post(
      `${stack.appOrigin}/logout`,
      { _csrf: csrf },
      { origin: 'https://evil.example' },
    );
    expect(withoutFetchMetadata.status).toBe(403);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
  });

  it("refuses another session's CSRF token", async () => {
    const victim = await signedInBrowser(stack.appOrigin);
    const attacker = await signedInBrowser(stack.appOrigin);
    const refused = await victim.browser.post(
      `${stack.appOrigin}/logout`,
      { _csrf: attacker.csrf },
      { origin: stack.appOrigin },
    );
    expect(refused.status).toBe(403);
    expect((await victim.browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
  });

  it('shows a confirmation on GET /logout instead of logging out', async () => {
    const { browser } = await signedInBrowser(stack.appOrigin);
    const page = await browser.get(`${stack.appOrigin}/logout`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Log out?');
    expect(page.text).toMatch(/<form class="inline-form" method="post" action="\/logout">/);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
  });

  it('sends a visitor who is not signed in back home', async () => {
    const response = await new TestBrowser().post(`${stack.appOrigin}/logout`, {});
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/');
  });
});

describe('logging out while the provider is down', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it('still ends the session here, even with nothing about the provider cached, and says so', async () => {
    const { browser, csrf, cookie } = await signedInBrowser(stack.appOrigin);
    await stack.provider.close();
    // A restarted app: the library's and our discovery caches are cold, so any call to the
    // provider before the session is destroyed would fail and keep the visitor signed in.
    stack.restartApp();

    const response = await browser.post(`${stack.appOrigin}/logout`, { _csrf: csrf }, { origin: stack.appOrigin });

    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/?signed_out=local');
    expect(setCookies(response.headers).find((set) => set.name === 'session')?.value).toBe('');
    const id = storeIdOf(cookie);
    expect(await new Promise((resolve) => stack.store.get(id, (_err, value) => resolve(value)))).toBeNull();
    const home = await browser.get(`${stack.appOrigin}/?signed_out=local`);
    expect(home.text).toContain('You are signed out of this app. The sign-in service could not be reached');
    expect(home.text).toContain('>Log in<');
    const replay = await new TestBrowser().get(`${stack.appOrigin}/`, { cookie: `session=${cookie}` });
    expect(replay.text).toContain('>Log in<');
  });
});
