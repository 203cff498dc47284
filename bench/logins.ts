import { performance } from 'node:perf_hooks';
import { BenchBrowser, type Hop } from './browser.js';

export const benchCredentials = { email: 'alice@example.com', password: 'wonderland' };
const MAX_HOPS = 12;

export interface LoginTrace {
  hops: { side: 'app' | 'provider'; hop: Hop }[];
  totalMs: number;
}

/**
 * Signs in like a browser: GET /login?returnTo=..., every redirect, the provider's login form
 * when it shows one (none when the provider session is still alive: single sign-on), the app's
 * /callback, and (with `landing`) the page it lands on. Throws on anything unexpected.
 */
export async function signIn(
  browser: BenchBrowser,
  appOrigin: string,
  { returnTo = '/profile', landing = true } = {},
): Promise<LoginTrace> {
  const hops: LoginTrace['hops'] = [];
  let url = new URL(`/login?returnTo=${encodeURIComponent(returnTo)}`, appOrigin);
  let form: Record<string, string> | undefined;
  const begin = performance.now();
  for (let count = 0; count < MAX_HOPS; count += 1) {
    const side = url.origin === appOrigin ? 'app' : 'provider';
    const hop = await browser.request(url, form);
    hops.push({ side, hop });
    form = undefined;
    const leftCallback = side === 'app' && url.pathname === '/callback';
    if (hop.location && hop.status >= 300 && hop.status < 400) {
      if (leftCallback && !landing) return { hops, totalMs: performance.now() - begin };
      url = hop.location;
      continue;
    }
    if (hop.status === 200 && side === 'provider' && /^\/interaction\/[^/]+$/.test(url.pathname)) {
      url = new URL(`${url.pathname}/login`, url);
      form = benchCredentials;
      continue;
    }
    if (hop.status === 200 && side === 'app' && url.pathname === returnTo)
      return { hops, totalMs: performance.now() - begin };
    throw new Error(`sign-in stopped at ${url.href} with HTTP ${hop.status}`);
  }
  throw new Error(`sign-in needed more than ${MAX_HOPS} hops`);
}

interface CreateOptions {
  count: number;
  concurrency: number;
  /** Hard stop (epoch ms): fewer sessions are created if it is reached. */
  deadline: number;
  /** Called after each session is created, with how many exist so far. */
  onSession?: (count: number) => void;
}

/**
 * Creates app sessions through the real callback path, as fast as real logins allow: one full
 * login opens a provider session, then every further browser reuses it (single sign-on), so each
 * new app session costs /login, the provider's /authorize and the app's /callback (code exchange,
 * ID token check, /userinfo). Returns each session's Cookie header value.
 */
export async function createSessions(
  appOrigin: string,
  providerOrigin: string,
  { count, concurrency, deadline, onSession }: CreateOptions,
): Promise<string[]> {
  const template = new BenchBrowser();
  await signIn(template, appOrigin, { landing: false });
  const cookies: string[] = [];
  let started = 0;
  async function worker(): Promise<void> {
    while (started < count && Date.now() < deadline) {
      started += 1;
      const browser = template.withCookiesOf(providerOrigin);
      await signIn(browser, appOrigin, { landing: false });
      const cookie = browser.cookie(appOrigin, 'session');
      if (!cookie) throw new Error('sign-in left no session cookie');
      cookies.push(cookie);
      onSession?.(cookies.length);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  return cookies;
}
