import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { returnToCandidates } from '../support/open-redirects.js';
import { leaksIn } from '../support/page-checks.js';
import { exchange, type Exchange } from '../support/raw-http.js';
import { signedInBrowser } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/**
 * A bounded, seeded fuzz run of the real app over raw HTTP: every request is built from hostile
 * parts (methods, paths, request targets, query strings, cookies, headers, bodies) and sent byte
 * for byte. Replay a failure with the seed and path fast-check prints (FUZZ_SEED=<seed>); explore
 * with other seeds and more runs (FUZZ_RUNS=2000).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_202);
const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const TIME_LIMIT_MS = 45_000;
/** An answer must come within this; anything slower counts as a hang. */
const ANSWER_WITHIN_MS = 5000;

const ROUTES = [
  '/',
  '/login',
  '/callback',
  '/profile',
  '/logout',
  '/sessions',
  '/sessions/end',
  '/sessions/end-others',
  '/backchannel-logout',
  '/healthz',
  '/readyz',
  '/assets',
  '/no/such/page',
];
const POST_ROUTES = ['/logout', '/sessions/end', '/sessions/end-others', '/backchannel-logout'];

const junk = fc.oneof(
  returnToCandidates(),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '',
    '%',
    '%zz',
    '%00',
    '%ff%fe',
    '%c0%af',
    '..',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '"><img src=x>',
    '{"a":1}',
    '[]',
    '__proto__',
    'constructor',
    'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    'x'.repeat(3000),
    'é'.repeat(200),
    'null',
  ),
);

/** Percent-encodes, or leaves raw only what a request line can carry (visible ASCII, no space or #). */
const inTarget = (text: string, raw: boolean) =>
  raw ? Array.from(text, (char) => (/^[\x21-\x7e]$/.test(char) && char !== '#' ? char : encodeURIComponent(char).replace(/%(?![0-9A-F]{2})/g, '%25'))).join('') : safeEncode(text);

function safeEncode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // A lone surrogate cannot be encoded as UTF-8: send the replacement character instead.
    return encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
  }
}

/** A header value a request can carry: latin1, no CR or LF. */
const headerValue = (text: string) => Buffer.from(text.replace(/[\r\n]/g, ' '), 'utf8').toString('latin1').replace(/[^\x20-\xff\t]/g, '?');

const queryKeys = fc.constantFrom('code', 'state', 'iss', 'error', 'error_description', 'returnTo', 'session_state', 'signed_out', 'ended', 'session', '_csrf', 'a[b]', 'returnTo[]', 'x');
const query = fc.array(fc.tuple(queryKeys, junk, fc.boolean()), { maxLength: 6 }).map((pairs) => pairs.map(([key, value, raw]) => `${key}=${inTarget(value, raw)}`).join('&'));

const path = fc.oneof(
  { arbitrary: fc.constantFrom(...ROUTES), weight: 6 },
  { arbitrary: fc.tuple(fc.constantFrom(...ROUTES), junk, fc.boolean()).map(([route, extra, raw]) => `${route}/${inTarget(extra, raw)}`), weight: 2 },
  { arbitrary: fc.tuple(junk, fc.boolean()).map(([extra, raw]) => `/${inTarget(extra, raw)}`), weight: 1 },
  { arbitrary: fc.constantFrom(...ROUTES).map((route) => route.toUpperCase()), weight: 1 },
  { arbitrary: fc.constantFrom(...ROUTES).map((route) => `/${route}/`), weight: 1 },
  { arbitrary: fc.constantFrom(...ROUTES).map((route) => `/..%2f..${route}`), weight: 1 },
);

/** The request target: usually origin-form, sometimes absolute-form (as sent to a proxy), or `*`. */
const target = (host: string) =>
  fc.oneof(
    { arbitrary: fc.tuple(path, query).map(([p, q]) => (q ? `${p}?${q}` : p)), weight: 10 },
    { arbitrary: fc.tuple(fc.constantFrom('http://evil.example', `http://${host}`, 'https://evil.example:8443'), path, query).map(([origin, p, q]) => `${origin}${p}?${q}`), weight: 2 },
    { arbitrary: fc.constant('*'), weight: 1 },
  );

interface Built {
  method: string;
  target: string;
  headers: [string, string][];
  body?: Buffer;
  /** A declared Content-Length larger than what is sent (the rest never comes). */
  declaredLength?: number;
}

describe(`fuzz: the real app over raw HTTP (seed ${SEED}, ${RUNS} runs; replay with FUZZ_SEED=${SEED})`, () => {
  let stack: TestStack;
  let host: string;
  let victim: Awaited<ReturnType<typeof signedInBrowser>>;
  const sent: string[] = [];
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    // The limits would turn most of the run into 429s, which prove nothing about the routes.
    stack = await startTestStack({ env: { SIGN_IN_RATE_LIMIT: '1000000' } });
    host = new URL(stack.appOrigin).host;
    victim = await signedInBrowser(stack.appOrigin);
  });
  afterAll(() => stack.close());

  const cookiePart = () =>
    fc.oneof(
      fc.constant(`session=${victim.cookie}`),
      fc.constant(`session=${victim.cookie}; session=${victim.cookie.slice(0, -1)}A`),
      fc.constant(`session=${'0'.repeat(32)}.${'A'.repeat(43)}`),
      junk.map((value) => `session=${headerValue(value).replace(/;/g, '')}`),
      junk.map((value) => `session.0=${headerValue(value).replace(/;/g, '')}`),
      junk.map((value) => `auth_verification=${headerValue(value).replace(/;/g, '')}`),
      fc.constant('auth_verification='),
      fc.constant(`__Host-session=${victim.cookie}`),
      fc.nat({ max: 20_000 }).map((size) => `theme=${'x'.repeat(size)}`),
    );

  const headers = () =>
    fc
      .record(
        {
          host: fc.constantFrom(host, 'evil.example', '', 'localhost', `${host}:80`, 'a'.repeat(300)),
          cookie: fc.array(cookiePart(), { maxLength: 4 }).map((parts) => parts.join('; ')),
          'x-forwarded-host': fc.constantFrom('evil.example', host, ''),
          'x-forwarded-proto': fc.constantFrom('https', 'gopher', ''),
          'x-forwarded-for': fc.constantFrom('1.2.3.4', 'garbage', '::1, 10.0.0.1', ''),
          forwarded: fc.constantFrom('host=evil.example;proto=https', 'for=unknown', '"'),
          origin: fc.constantFrom('https://evil.example', `http://${host}`, 'null', ''),
          'sec-fetch-site': fc.constantFrom('cross-site', 'same-origin', 'none', 'same-site'),
          'x-request-id': junk.map(headerValue),
          accept: fc.constantFrom('text/html', 'application/json', '*/*', '', 'text/plain;q=0'),
          referer: fc.constantFrom('https://evil.example/', `http://${host}/profile`),
          'user-agent': junk.map(headerValue),
        },
        { requiredKeys: [] },
      )
      .map((record) => Object.entries(record).map(([name, value]) => [name, headerValue(value)] as [string, string]));

  const body = fc.oneof(
    fc
      .array(fc.tuple(fc.constantFrom('_csrf', 'logout_token', 'session', 'x', 'a[b][c]', '__proto__'), junk), { maxLength: 15 })
      .map((pairs) => Buffer.from(pairs.map(([key, value]) => `${key}=${safeEncode(value)}`).join('&'))),
    fc.constantFrom('%zz=%', '_csrf[]=1&_csrf[]=2', `_csrf=${'%41'.repeat(3000)}`).map((text) => Buffer.from(text)),
    fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
    fc.json().map((text) => Buffer.from(text)),
    fc.constantFrom(5000, 20_000, 120_000).map((size) => Buffer.alloc(size, 'a')),
  );
  const contentType = fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/x-www-form-urlencoded; charset=utf-16',
    'application/x-www-form-urlencoded; charset=nonsense',
    'application/json',
    'multipart/form-data; boundary=x',
    'text/plain',
    'garbage/;;;',
  );

  const requests = (): fc.Arbitrary<Built> =>
    fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({
          method: fc.constantFrom('GET', 'GET', 'HEAD', 'OPTIONS', 'TRACE', 'DELETE', 'PUT', 'PATCH', 'PROPFIND', 'get'),
          target: target(host),
          headers: headers(),
        }),
      },
      {
        weight: 2,
        arbitrary: fc
          .record({
            method: fc.constantFrom('POST', 'POST', 'PUT'),
            route: fc.constantFrom(...POST_ROUTES, '/callback', '/login'),
            query,
            headers: headers(),
            contentType,
            body,
            // Declaring far more than any route reads: answered at once. (A body that merely stops
            // short of a small declared length is waited for, up to REQUEST_TIMEOUT_MS, as HTTP asks.)
            shortBy: fc.option(fc.constant(100_000_000), { nil: undefined }),
          })
          .map(({ method, route, query: q, headers: h, contentType: type, body: b, shortBy }) => ({
            method,
            target: q ? `${route}?${q}` : route,
            headers: [...h, ['content-type', type] as [string, string]],
            body: b,
            declaredLength: shortBy === undefined ? undefined : b.length + shortBy,
          })),
      },
    );

  function serialise({ method, target: requestTarget, headers: list, body: payload, declaredLength }: Built): Buffer {
    const lines = [`${method} ${requestTarget} HTTP/1.1`];
    const given = new Map(list);
    lines.push(`Host: ${given.get('host') ?? host}`);
    for (const [name, value] of list) if (name !== 'host') lines.push(`${name}: ${value}`);
    if (payload) lines.push(`Content-Length: ${declaredLength ?? payload.length}`);
    lines.push('Connection: close', '', '');
    return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), payload ?? Buffer.alloc(0)]);
  }

  /** Where a browser would go, resolved against the page it asked for (BASE_URL's origin). */
  function offSite(location: string): boolean {
    const providerOrigin = stack.provider.origin;
    let url: URL;
    try {
      url = new URL(location, `${stack.appOrigin}/`);
    } catch {
      return true;
    }
    if (url.origin === stack.appOrigin) return false;
    if (url.origin !== providerOrigin) return true;
    // To the provider: only its sign-in and logout, coming back to BASE_URL.
    if (url.pathname === '/authorize') return url.searchParams.get('redirect_uri') !== `${stack.appOrigin}/callback`;
    if (url.pathname === '/oidc/logout') return url.searchParams.get('post_logout_redirect_uri') !== stack.appOrigin;
    return true;
  }

  function problemsWith(answer: Exchange): string[] {
    const problems: string[] = [];
    if (answer.status === 0) problems.push(answer.timedOut ? `no answer within ${ANSWER_WITHIN_MS} ms` : 'the connection closed without an answer');
    if (answer.status >= 500) problems.push(`status ${answer.status}`);
    for (const leak of leaksIn(answer.body)) problems.push(`body matches ${leak}`);
    const location = answer.headers.location;
    if (location !== undefined && offSite(location)) problems.push(`redirects off-site to ${location}`);
    return problems;
  }

  it('answers every hostile request with a 4xx or a page of its own: no 5xx, no leak, no off-site redirect, no hang', async () => {
    await fc.assert(
      fc.asyncProperty(requests(), async (built) => {
        const bytes = serialise(built);
        sent.push(bytes.subarray(0, 300).toString('latin1'));
        const answer = await exchange(stack.appOrigin, bytes, ANSWER_WITHIN_MS);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expect(problemsWith(answer), bytes.subarray(0, 600).toString('latin1')).toEqual([]);
      }),
      { seed: SEED, numRuns: RUNS, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] },
    );
    // The run reached the routes themselves, not only the HTTP parser's 400s.
    expect(sent.length).toBeGreaterThan(Math.min(RUNS, 100));
    expect([200, 302, 303, 403, 404].filter((status) => statuses.has(status))).toEqual([200, 302, 303, 403, 404]);
    console.log(`fuzz seed ${SEED}: ${sent.length} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
  }, TIME_LIMIT_MS + 30_000);

  it('still answers afterwards, and the session open through the whole run still shows the profile', async () => {
    expect((await new TestBrowser().get(`${stack.appOrigin}/healthz`)).status).toBe(200);
    const profile = await victim.browser.get(`${stack.appOrigin}/profile`);
    expect(profile.status).toBe(200);
    expect(profile.text).toContain('Alice Liddell');
  });
});
