import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieNames } from '../../src/sign-in/openid-options.js';
import { TestBrowser } from '../support/browser.js';
import { returnToCandidates } from '../support/open-redirects.js';
import { leaksIn } from '../support/page-checks.js';
import { exchange, type Exchange } from '../support/raw-http.js';
import { skipRedisTests, startRedisServer, type RedisServer } from '../support/redis-server.js';
import { bob, reachCallback, signedInBrowser } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { localhostCertificate } from '../support/tls-certificate.js';
import { signTransactionCookie, stateWith } from '../support/transaction-cookie.js';

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

/**
 * The same fuzz in each way the app is deployed: sessions in memory or in Redis (another store
 * code path: sealing, indexes, timeouts), and over https (`__Host-` cookie names, Secure, HSTS).
 */
const MODES = [
  { name: 'memory sessions over http', redis: false, https: false },
  { name: 'Redis sessions over http', redis: true, https: false },
  { name: 'memory sessions over https', redis: false, https: true },
] as const;
type Mode = (typeof MODES)[number];

/** Markup a hostile value carries; a page that shows it unescaped lets it run (reflected XSS). */
const MARKUP = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>"];
/** What an internal failure says when it reaches a body without the word "Error" (node, undici, Redis). */
const INTERNAL_MESSAGES =
  /Cannot read propert|is not a function|is not defined|Unexpected token|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ERR_[A-Z_]{4,}|WRONGTYPE|NOSCRIPT/;

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
    ...MARKUP,
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
  raw
    ? Array.from(text, (char) =>
        /^[\x21-\x7e]$/.test(char) && char !== '#'
          ? char
          : encodeURIComponent(char).replace(/%(?![0-9A-F]{2})/g, '%25'),
      ).join('')
    : safeEncode(text);

function safeEncode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // A lone surrogate cannot be encoded as UTF-8: send the replacement character instead.
    return encodeURIComponent(
      text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
    );
  }
}

/** A header value a request can carry: latin1, no CR or LF. */
const headerValue = (text: string) =>
  Buffer.from(text.replace(/[\r\n]/g, ' '), 'utf8')
    .toString('latin1')
    .replace(/[^\x20-\xff\t]/g, '?');

const queryKeys = fc.constantFrom(
  'code',
  'state',
  'iss',
  'error',
  'error_description',
  'returnTo',
  'session_state',
  'signed_out',
  'ended',
  'session',
  '_csrf',
  'a[b]',
  'returnTo[]',
  'x',
);
const query = fc
  .array(fc.tuple(queryKeys, junk, fc.boolean()), { maxLength: 6 })
  .map((pairs) => pairs.map(([key, value, raw]) => `${key}=${inTarget(value, raw)}`).join('&'));

const path = fc.oneof(
  { arbitrary: fc.constantFrom(...ROUTES), weight: 6 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...ROUTES), junk, fc.boolean())
      .map(([route, extra, raw]) => `${route}/${inTarget(extra, raw)}`),
    weight: 2,
  },
  { arbitrary: fc.tuple(junk, fc.boolean()).map(([extra, raw]) => `/${inTarget(extra, raw)}`), weight: 1 },
  { arbitrary: fc.constantFrom(...ROUTES).map((route) => route.toUpperCase()), weight: 1 },
  { arbitrary: fc.constantFrom(...ROUTES).map((route) => `/${route}/`), weight: 1 },
  { arbitrary: fc.constantFrom(...ROUTES).map((route) => `/..%2f..${route}`), weight: 1 },
);

/** The request target: usually origin-form, sometimes absolute-form (as sent to a proxy), or `*`. */
const target = (host: string) =>
  fc.oneof(
    { arbitrary: fc.tuple(path, query).map(([p, q]) => (q ? `${p}?${q}` : p)), weight: 10 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom('http://evil.example', `http://${host}`, 'https://evil.example:8443'), path, query)
        .map(([origin, p, q]) => `${origin}${p}?${q}`),
      weight: 2,
    },
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

function fuzzSuite(mode: Mode) {
  let stack: TestStack;
  let redis: RedisServer | undefined;
  let host: string;
  let ca: string | undefined;
  let names: ReturnType<typeof cookieNames>;
  let victim: Awaited<ReturnType<typeof signedInBrowser>>;
  /** A second signed-in user whose session cookie AND CSRF token the hostile form posts carry. */
  let csrfVictim: Awaited<ReturnType<typeof signedInBrowser>>;
  const sent: string[] = [];
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    redis = mode.redis ? await startRedisServer() : undefined;
    // The limits would turn most of the run into 429s, which prove nothing about the routes.
    const env: Record<string, string> = { SIGN_IN_RATE_LIMIT: '1000000', ...(redis ? { REDIS_URL: redis.url } : {}) };
    stack = await startTestStack({ env, https: mode.https });
    ca = mode.https ? (await localhostCertificate()).cert : undefined;
    host = new URL(stack.appOrigin).host;
    names = cookieNames(stack.config.baseURL);
    victim = await signedInBrowser(stack.appOrigin, { browser: stack.newBrowser() });
    csrfVictim = await signedInBrowser(stack.appOrigin, { browser: stack.newBrowser(), user: bob });
  });
  afterAll(async () => {
    await stack.close();
    await redis?.close();
  });

  const send = (bytes: Buffer) => exchange(stack.appOrigin, bytes, ANSWER_WITHIN_MS, { ca });

  const cookiePart = () =>
    fc.oneof(
      fc.constant(`${names.session}=${victim.cookie}`),
      fc.constant(`${names.session}=${victim.cookie}; ${names.session}=${victim.cookie.slice(0, -1)}A`),
      fc.constant(`${names.session}=${'0'.repeat(32)}.${'A'.repeat(43)}`),
      junk.map((value) => `${names.session}=${headerValue(value).replace(/;/g, '')}`),
      junk.map((value) => `${names.session}.0=${headerValue(value).replace(/;/g, '')}`),
      junk.map((value) => `${names.transaction}=${headerValue(value).replace(/;/g, '')}`),
      fc.constant(`${names.transaction}=`),
      // The other mode's names: never read.
      fc.constant(`__Host-session=${victim.cookie}`),
      fc.constant(`session=${victim.cookie}`),
      fc.nat({ max: 20_000 }).map((size) => `theme=${'x'.repeat(size)}`),
    );

  const headers = () =>
    fc
      .record(
        {
          host: fc.constantFrom(
            host,
            'evil.example',
            '',
            'localhost',
            `${host}:80`,
            'a'.repeat(300),
            `evil.example${MARKUP[1] ?? ''}`,
          ),
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
      .array(fc.tuple(fc.constantFrom('_csrf', 'logout_token', 'session', 'x', 'a[b][c]', '__proto__'), junk), {
        maxLength: 15,
      })
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
          method: fc.constantFrom(
            'GET',
            'GET',
            'HEAD',
            'OPTIONS',
            'TRACE',
            'DELETE',
            'PUT',
            'PATCH',
            'PROPFIND',
            'get',
          ),
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
      {
        // Well-formed form posts (signed in with a wrong token, or signed out) with hostile fields:
        // they get past body parsing to the guards and handlers, which the mostly malformed posts
        // above reach too rarely for every seed to see a 303 and a 403.
        weight: 1,
        arbitrary: fc
          .record({
            route: fc.constantFrom('/logout', '/sessions/end', '/sessions/end-others'),
            signedIn: fc.boolean(),
            fields: fc.array(fc.tuple(fc.constantFrom('_csrf', 'session', 'returnTo', 'x'), junk), { maxLength: 4 }),
          })
          .map(({ route, signedIn, fields }) => ({
            method: 'POST',
            target: route,
            headers: [
              ['host', host],
              ['content-type', 'application/x-www-form-urlencoded'],
              ['sec-fetch-site', 'same-origin'],
              ...(signedIn ? [['cookie', `${names.session}=${victim.cookie}`] as [string, string]] : []),
            ] as [string, string][],
            body: Buffer.from(fields.map(([key, value]) => `${key}=${safeEncode(value)}`).join('&')),
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

  /** The text around the first match of `pattern`, so a failure shows what matched, not only that something did. */
  const around = (body: string, pattern: RegExp) => {
    const at = body.search(pattern);
    return at < 0 ? '' : JSON.stringify(body.slice(Math.max(0, at - 60), at + 60));
  };

  /**
   * `providerSaid503`: the request forwards an authorization error the app words as "the sign-in
   * service is unavailable" (server_error, temporarily_unavailable): a 503 on its own page is right.
   */
  function problemsWith(answer: Exchange, { providerSaid503 = false } = {}): string[] {
    const problems: string[] = [];
    if (answer.status === 0)
      problems.push(
        answer.timedOut ? `no answer within ${ANSWER_WITHIN_MS} ms` : 'the connection closed without an answer',
      );
    // The app's own error answer: its page (with the request id), or its JSON error for a client that asked for JSON.
    const ownUnavailablePage =
      providerSaid503 &&
      answer.status === 503 &&
      (answer.body.includes('Request id') || answer.body.includes('"requestId"'));
    if (answer.status >= 500 && !ownUnavailablePage) problems.push(`status ${answer.status}`);
    for (const leak of leaksIn(answer.body))
      problems.push(`body matches ${leak} at ${around(answer.body, new RegExp(leak.slice(1, leak.lastIndexOf('/'))))}`);
    if (INTERNAL_MESSAGES.test(answer.body))
      problems.push(`body shows an internal message: ${INTERNAL_MESSAGES.exec(answer.body)?.[0] ?? ''}`);
    if ((answer.headers['content-type'] ?? '').startsWith('text/html')) {
      for (const markup of MARKUP) if (answer.body.includes(markup)) problems.push(`page shows ${markup} unescaped`);
    }
    const location = answer.headers.location;
    if (location !== undefined && offSite(location)) problems.push(`redirects off-site to ${location}`);
    return problems;
  }

  it(
    'answers every hostile request with a 4xx or a page of its own: no 5xx, no leak, no off-site redirect, no hang',
    async () => {
      await fc.assert(
        fc.asyncProperty(requests(), async (built) => {
          const bytes = serialise(built);
          sent.push(bytes.subarray(0, 300).toString('latin1'));
          const answer = await send(bytes);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          expect(problemsWith(answer), bytes.subarray(0, 600).toString('latin1')).toEqual([]);
        }),
        { seed: SEED, numRuns: RUNS, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] },
      );
      // The run reached the routes themselves, not only the HTTP parser's 400s.
      expect(sent.length).toBeGreaterThan(Math.min(RUNS, 100));
      expect([200, 302, 303, 403, 404].filter((status) => statuses.has(status))).toEqual([200, 302, 303, 403, 404]);
      // interruptAfterTimeLimit ends a run quietly: say so, or FUZZ_RUNS=3000 may have meant 800.
      const cut = sent.length < RUNS ? ` (cut by the ${TIME_LIMIT_MS} ms limit after ${sent.length} of ${RUNS})` : '';
      console.log(
        `fuzz ${mode.name} seed ${SEED}: ${sent.length} requests${cut}, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
      );
    },
    TIME_LIMIT_MS + 30_000,
  );

  /** A pending sign-in as /login leaves it: a transaction cookie the app signed, and its state. */
  async function pendingSignIn(returnTo: string): Promise<{ cookie: string; state: string }> {
    const state = stateWith(returnTo);
    const checks = {
      nonce: randomBytes(16).toString('base64url'),
      state,
      code_verifier: randomBytes(32).toString('base64url'),
    };
    return {
      cookie: `${names.transaction}=${await signTransactionCookie(names.transaction, checks, stack.config.secrets)}`,
      state,
    };
  }

  it(
    'answers /callback with a valid pending sign-in and a hostile query (state matching, duplicated or not; codes, iss, errors) without a 5xx, leak or off-site redirect',
    async () => {
      const callbackQuery = fc.record({
        returnTo: returnToCandidates(),
        stateShape: fc.oneof(
          { arbitrary: fc.constant('exact' as const), weight: 4 },
          fc.constantFrom('twice', 'exact then junk', 'junk then exact', 'array', 'missing'),
        ),
        pairs: fc.array(fc.tuple(queryKeys, junk, fc.boolean()), { maxLength: 4 }),
        signedIn: fc.boolean(),
        // The issuer is public: RFC 9207's iss, which openid-client checks before anything else.
        withIss: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, fc.constant(false)),
        // Error codes the app looks up in a table: real ones, names every object answers to, junk.
        error: fc.option(
          fc.oneof(
            fc.constantFrom(
              'access_denied',
              'login_required',
              'consent_required',
              'invalid_request',
              'server_error',
              'temporarily_unavailable',
              'invalid_grant',
            ),
            fc.constantFrom(...Object.getOwnPropertyNames(Object.prototype)),
            junk,
          ),
          { nil: undefined },
        ),
        headers: headers(),
      });
      await fc.assert(
        fc.asyncProperty(
          callbackQuery,
          async ({ returnTo, stateShape, pairs, signedIn, withIss, error, headers: list }) => {
            const pending = await pendingSignIn(returnTo);
            const state = encodeURIComponent(pending.state);
            const stateParams = {
              exact: [`state=${state}`],
              twice: [`state=${state}`, `state=${state}`],
              'exact then junk': [`state=${state}`, 'state=x'],
              'junk then exact': ['state=x', `state=${state}`],
              array: [`state[]=${state}`],
              missing: [],
            }[stateShape];
            const iss = withIss ? [`iss=${encodeURIComponent(stack.config.issuer.issuerBaseURL)}`] : [];
            const errorParam = error === undefined ? [] : [`error=${safeEncode(error)}`];
            const q = [
              ...stateParams,
              ...iss,
              ...errorParam,
              ...pairs.map(([key, value, raw]) => `${key}=${inTarget(value, raw)}`),
            ].join('&');
            const cookie = [pending.cookie, ...(signedIn ? [`${names.session}=${victim.cookie}`] : [])].join('; ');
            const given = list.filter(([name]) => name !== 'cookie' && name !== 'host');
            const bytes = serialise({
              method: 'GET',
              target: `/callback?${q}`,
              headers: [['host', host], ['cookie', cookie], ...given],
            });
            const answer = await send(bytes);
            expect(
              problemsWith(answer, {
                providerSaid503: /(^|&)error=(server_error|temporarily_unavailable)(&|$)/.test(q),
              }),
              bytes.subarray(0, 600).toString('latin1'),
            ).toEqual([]);
          },
        ),
        { seed: SEED, numRuns: Math.ceil(RUNS / 4), plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] },
      );
    },
    TIME_LIMIT_MS + 30_000,
  );

  it(
    'answers a real authorization response with hostile parameters added or duplicated without a 5xx, leak or off-site redirect',
    async () => {
      const mutation = fc.record({
        returnTo: returnToCandidates(),
        extra: fc.array(
          fc.tuple(
            fc.constantFrom('code', 'state', 'iss', 'error', 'session_state', 'returnTo', 'code[]', 'iss[]'),
            junk,
            fc.boolean(),
          ),
          { minLength: 1, maxLength: 3 },
        ),
        prepend: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(mutation, async ({ returnTo, extra, prepend }) => {
          const browser = stack.newBrowser();
          const { callbackUrl } = await reachCallback(
            browser,
            stack.appOrigin,
            undefined,
            `/login?returnTo=${safeEncode(returnTo)}`,
          );
          const hostile = extra.map(([key, value, raw]) => `${key}=${inTarget(value, raw)}`).join('&');
          const real = callbackUrl.search.slice(1);
          const transaction = browser.cookies(stack.appOrigin)[names.transaction] ?? '';
          const bytes = serialise({
            method: 'GET',
            target: `/callback?${prepend ? `${hostile}&${real}` : `${real}&${hostile}`}`,
            headers: [
              ['host', host],
              ['cookie', `${names.transaction}=${transaction}`],
            ],
          });
          const answer = await send(bytes);
          expect(problemsWith(answer), bytes.subarray(0, 600).toString('latin1')).toEqual([]);
        }),
        {
          seed: SEED,
          numRuns: Math.min(40, Math.ceil(RUNS / 10)),
          plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)],
        },
      );
    },
    TIME_LIMIT_MS + 30_000,
  );

  it(
    'never ends a session from a form post that carries its real CSRF token but comes cross-site, or carries it in a shape the app must not accept',
    async () => {
      const token = () => csrfVictim.csrf;
      const crossSite = fc.constantFrom<[string, string][]>(
        [['sec-fetch-site', 'cross-site']],
        [['sec-fetch-site', 'same-site']],
        [
          ['sec-fetch-site', 'cross-site'],
          ['origin', new URL(stack.appOrigin).origin],
        ],
        [['origin', 'https://evil.example']],
        [['origin', 'null']],
        [['origin', `${new URL(stack.appOrigin).origin}.evil.example`]],
      );
      const sameOrigin = fc.constantFrom<[string, string][]>(
        [['sec-fetch-site', 'same-origin']],
        [],
        [['origin', new URL(stack.appOrigin).origin]],
      );
      const genuine = () => `_csrf=${encodeURIComponent(token())}`;
      const mangled = fc.constantFrom(
        () => `_csrf=${encodeURIComponent(token())}x`,
        () => `_csrf=${encodeURIComponent(token().slice(0, -1))}`,
        () => `${genuine()}&${genuine()}`,
        () => `${genuine()}&_csrf=junk`,
        () => `_csrf[]=${encodeURIComponent(token())}`,
        () => `_csrf[a]=${encodeURIComponent(token())}`,
        () => `_CSRF=${encodeURIComponent(token())}`,
        () => `_csrf=${encodeURIComponent(` ${token()}`)}`,
        () => `_csrf=${encodeURIComponent(`${token()}\u0000`)}`,
        () => `__proto__[_csrf]=${encodeURIComponent(token())}`,
      );
      const post = fc.oneof(
        fc.record({
          headers: crossSite,
          body: fc.constant(genuine),
          type: fc.constant('application/x-www-form-urlencoded'),
        }),
        fc.record({
          headers: sameOrigin,
          body: mangled,
          type: fc.constantFrom(
            'application/x-www-form-urlencoded',
            'application/x-www-form-urlencoded; charset=utf-8',
          ),
        }),
        fc.record({
          headers: sameOrigin,
          body: fc.constant(genuine),
          type: fc.constantFrom(
            'text/plain',
            'application/json',
            'multipart/form-data; boundary=x',
            'application/x-www-form-urlencoded; charset=utf-16',
          ),
        }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('/logout', '/sessions/end', '/sessions/end-others'),
          post,
          fc.array(fc.tuple(fc.constantFrom('session', 'x', 'returnTo'), junk)),
          async (route, { headers: list, body: makeBody, type }, extra) => {
            const payload = [makeBody(), ...extra.map(([key, value]) => `${key}=${safeEncode(value)}`)].join('&');
            const bytes = serialise({
              method: 'POST',
              target: route,
              headers: [
                ['host', host],
                ['cookie', `${names.session}=${csrfVictim.cookie}`],
                ['content-type', type],
                ...list,
              ],
              body: Buffer.from(payload),
            });
            const answer = await send(bytes);
            expect(problemsWith(answer), bytes.toString('latin1')).toEqual([]);
            const profile = await csrfVictim.browser.get(`${stack.appOrigin}/profile`);
            expect(profile.status, `session ended by:\n${bytes.toString('latin1')}`).toBe(200);
          },
        ),
        { seed: SEED, numRuns: Math.ceil(RUNS / 4), plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] },
      );
    },
    TIME_LIMIT_MS + 30_000,
  );

  it('shows a hostile User-Agent of a signed-in device escaped on /sessions', async () => {
    const agent = `Mozilla/5.0 ${MARKUP.join(' ')} Chrome/131.0`;
    const { browser: signedIn } = await signedInBrowser(stack.appOrigin, {
      browser: new TestBrowser({ ca, headers: { 'user-agent': agent } }),
    });
    const page = await signedIn.get(`${stack.appOrigin}/sessions`);
    expect(page.status).toBe(200);
    for (const markup of MARKUP) expect(page.text).not.toContain(markup);
  });

  it('still answers afterwards, and the session open through the whole run still shows the profile', async () => {
    expect((await stack.newBrowser().get(`${stack.appOrigin}/healthz`)).status).toBe(200);
    const profile = await victim.browser.get(`${stack.appOrigin}/profile`);
    expect(profile.status).toBe(200);
    expect(profile.text).toContain('Alice Liddell');
  });
}

for (const mode of MODES) {
  describe.skipIf(mode.redis && skipRedisTests)(
    `fuzz: the real app over raw HTTP, ${mode.name} (seed ${SEED}, ${RUNS} runs; replay with FUZZ_SEED=${SEED})`,
    () => {
      fuzzSuite(mode);
    },
  );
}
