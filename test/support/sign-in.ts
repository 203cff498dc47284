import { last, TestBrowser, type Page } from './browser.js';

export const alice = { email: 'alice@example.com', password: 'wonderland' };
export const bob = { email: 'bob@example.com', password: 'builder' };

/** Opens the provider's login page for a fresh authorization request started at `startUrl`. */
export async function openLoginPage(
  browser: TestBrowser,
  startUrl: string,
): Promise<{ authorizeUrl: URL; loginPage: Page }> {
  const start = await browser.get(startUrl);
  if (start.status !== 302) throw new Error(`expected ${startUrl} to redirect to the provider, got ${start.status}`);
  const { visited } = await browser.follow(start);
  return { authorizeUrl: new URL(start.headers.location as string), loginPage: last(visited) };
}

/** Submits the provider's login form; returns the provider's answer (a redirect on success). */
export function submitLogin(browser: TestBrowser, loginPage: Page, email: string, password: string): Promise<Page> {
  return browser.post(`${loginPage.url}/login`, { email, password });
}

/**
 * Drives the authorization code flow like a browser up to, not including, the app's /callback:
 * start at `startPath`, log in at the provider unless its session is still alive (single sign-on),
 * consent is implied, and return the authorization request and response URLs.
 */
export async function reachCallback(
  browser: TestBrowser,
  appOrigin: string,
  user = alice,
  startPath = '/login',
): Promise<{ authorizeUrl: URL; callbackUrl: URL }> {
  const start = await browser.get(`${appOrigin}${startPath}`);
  if (start.status !== 302) throw new Error(`expected ${startPath} to redirect to the provider, got ${start.status}`);
  const authorizeUrl = new URL(start.headers.location as string);
  return { authorizeUrl, callbackUrl: await authorize(browser, appOrigin, authorizeUrl, user) };
}

/**
 * Takes an authorization request to the provider like a browser (logging in unless its session is
 * still alive) and returns the authorization response: the app's /callback URL, not yet requested.
 */
export async function authorize(
  browser: TestBrowser,
  appOrigin: string,
  authorizeUrl: URL,
  user = alice,
): Promise<URL> {
  const isCallback = (url: URL) => url.href.startsWith(`${appOrigin}/callback`);
  const atProvider = await browser.get(authorizeUrl.href);
  const toLogin = await browser.follow(atProvider, isCallback);
  if (toLogin.next) return toLogin.next;
  const submitted = await submitLogin(browser, toLogin.visited.at(-1) ?? atProvider, user.email, user.password);
  const { next } = await browser.follow(submitted, isCallback);
  if (!next) throw new Error(`the provider did not send the browser back to ${appOrigin}/callback`);
  return next;
}

/** The whole sign-in: returns the callback's answer and the page the browser lands on after it. */
export async function signIn(
  browser: TestBrowser,
  appOrigin: string,
  user = alice,
  startPath = '/login',
): Promise<{ authorizeUrl: URL; callbackUrl: URL; callback: Page; landing: Page }> {
  const { authorizeUrl, callbackUrl } = await reachCallback(browser, appOrigin, user, startPath);
  const callback = await browser.get(callbackUrl.href);
  const { visited } = await browser.follow(callback);
  return { authorizeUrl, callbackUrl, callback, landing: visited.length > 0 ? last(visited) : callback };
}

/** The CSRF token in the page's Log out form. */
export function csrfTokenIn(page: Page): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
  if (!token) throw new Error(`no CSRF token on ${page.url}`);
  return token;
}

/**
 * A browser signed in as `user` (landing on /profile), with its CSRF token and session cookie.
 * Under https the cookie is the `__Host-session` one.
 */
export async function signedInBrowser(
  appOrigin: string,
  { user = alice, browser = new TestBrowser() }: { user?: typeof alice; browser?: TestBrowser } = {},
): Promise<{ browser: TestBrowser; landing: Page; csrf: string; cookie: string }> {
  const { landing } = await signIn(browser, appOrigin, user, '/profile');
  const cookies = browser.cookies(appOrigin);
  const cookie = cookies.session ?? cookies['__Host-session'];
  if (!cookie) throw new Error('no session cookie after sign-in');
  return { browser, landing, csrf: csrfTokenIn(landing), cookie };
}

/**
 * Ends the browser's session at the provider directly, as logging out of another application of
 * the same tenant would: the provider then sends its back-channel logout to this app.
 */
export async function logOutAtProvider(browser: TestBrowser, providerOrigin: string, clientID: string): Promise<Page> {
  const confirm = await browser.get(`${providerOrigin}/oidc/logout?client_id=${encodeURIComponent(clientID)}`);
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.text)?.[1];
  if (!xsrf) throw new Error(`the provider showed no logout form (HTTP ${confirm.status})`);
  return browser.post(`${providerOrigin}/oidc/logout/confirm`, { xsrf, logout: 'yes' });
}
