import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDevProvider, type DevProvider, type ProviderMiddleware } from '../../src/dev-provider/dev-provider.js';
import { formatChecklist, type CheckResult } from '../../src/doctor/checklist.js';
import { runDoctor } from '../../src/doctor/run-doctor.js';
import { captureLogs } from '../support/logs.js';
import { REFUSED_MODULE } from '../support/preload/refuse-dev-provider-hooks.js';
import { providerFaults } from '../support/provider-faults.js';
import { freePort, startServerProcess } from '../support/server-process.js';
import { withinTime } from '../support/wait.js';

/** The app the provider knows about: the doctor never needs it running. */
const REGISTERED_APP = 'http://localhost:4100';
const statusOf = (results: CheckResult[]) => Object.fromEntries(results.map((result) => [result.title, result.status]));
const find = (results: CheckResult[], title: string) => results.find((result) => result.title === title);
const APP_SCOPE =
  'openid profile email offline_access read:current_user update:current_user_metadata create:current_user_metadata';

/**
 * Keeps the query of every authorization request, and (once `refuseApi` is called) refuses those
 * that name an API as Auth0 does: a redirect to the callback with `error` and `error_description`.
 * Requests without an audience (the callback URL check's) pass through untouched.
 */
function authorizationRequests() {
  const queries: URLSearchParams[] = [];
  let refusal: { error: string; description: string } | undefined;
  const middleware: ProviderMiddleware = async (ctx, next) => {
    if (ctx.path === '/authorize') {
      const query = new URLSearchParams(ctx.querystring);
      queries.push(query);
      const redirectUri = query.get('redirect_uri');
      if (refusal && query.has('audience') && redirectUri) {
        const answer = new URLSearchParams({ error: refusal.error, error_description: refusal.description });
        ctx.redirect(`${redirectUri}?${answer.toString()}`);
        return;
      }
    }
    await next();
  };
  return {
    middleware,
    withAudience: () => queries.filter((query) => query.has('audience')),
    refuseApi: (error: string, description: string) => {
      refusal = { error, description };
    },
    clear: () => {
      queries.length = 0;
      refusal = undefined;
    },
  };
}

describe('npm run doctor against a provider (the embedded one, set up like an Auth0 application)', () => {
  let provider: DevProvider;
  const faults = providerFaults();
  const authorizations = authorizationRequests();
  let env: Record<string, string>;
  beforeAll(async () => {
    provider = await startDevProvider({
      appBaseURL: REGISTERED_APP,
      nodeEnv: 'test',
      logger: captureLogs().logger,
      middleware: [faults.middleware, authorizations.middleware],
    });
    env = {
      NODE_ENV: 'test',
      ISSUER_BASE_URL: provider.issuer.issuerBaseURL,
      CLIENT_ID: provider.issuer.clientID,
      CLIENT_SECRET: provider.issuer.clientSecret,
      BASE_URL: REGISTERED_APP,
      SECRET: 'doctor-test-secret-0123456789abcdef',
      PROVIDER_TIMEOUT_MS: '1000',
    };
  });
  afterEach(() => {
    faults.clear();
    authorizations.clear();
  });
  afterAll(() => provider.close());

  it('passes every check for a correct configuration', async () => {
    const report = await runDoctor(env);
    expect(statusOf(report.results)).toEqual({
      Configuration: 'pass',
      Discovery: 'pass',
      Issuer: 'pass',
      'Client credentials': 'pass',
      'Callback URL': 'pass',
      'Logout URL': 'pass',
      'API access': 'skip',
      'Refresh tokens': 'skip',
      'Token revocation': 'skip',
      Clock: 'pass',
    });
    expect(report.exitCode).toBe(0);
    expect(formatChecklist(report.heading, report.results)).toMatch(/All 7 checks passed \(3 skipped\)\.\n$/);
  });

  describe('with an API (AUDIENCE)', () => {
    it('skips the API checks when no AUDIENCE is configured, and asks the provider for no API', async () => {
      const report = await runDoctor(env);
      for (const title of ['API access', 'Refresh tokens', 'Token revocation'])
        expect(find(report.results, title)).toMatchObject({
          status: 'skip',
          detail: expect.stringMatching(/^no AUDIENCE/) as unknown,
        });
      expect(authorizations.withAudience()).toEqual([]);
    });

    it('passes for the Management API, asking exactly what a sign-in asks for', async () => {
      const report = await runDoctor({ ...env, AUDIENCE: provider.managementAudience });
      expect(statusOf(report.results)).toMatchObject({
        'Callback URL': 'pass',
        'API access': 'pass',
        'Refresh tokens': 'pass',
        'Token revocation': 'pass',
      });
      const detail = find(report.results, 'API access')?.detail;
      expect(detail).toContain(
        `the provider accepts a sign-in for the audience ${provider.managementAudience} with scope "${APP_SCOPE}" (it redirects to ${provider.origin}/interaction/`,
      );
      const [query, ...others] = authorizations.withAudience();
      expect(others).toEqual([]);
      expect(Object.fromEntries(query ?? [])).toMatchObject({
        response_type: 'code',
        response_mode: 'query',
        client_id: provider.issuer.clientID,
        redirect_uri: `${REGISTERED_APP}/callback`,
        scope: APP_SCOPE,
        audience: provider.managementAudience,
        code_challenge_method: 'S256',
      });
      expect(report.exitCode).toBe(0);
      expect(formatChecklist(report.heading, report.results)).toMatch(/All 10 checks passed\.\n$/);
    });

    it.each([
      { scope: undefined, asked: 'openid profile email offline_access', allow: '' },
      {
        scope: 'read:reports write:reports',
        asked: 'openid profile email offline_access read:reports write:reports',
        allow: ', and allow this application to request its scopes (read:reports write:reports)',
      },
    ])(
      'fails for an audience the provider does not know (SCOPE=$scope), quoting its refusal and saying which API to create',
      async ({ scope, asked, allow }) => {
        const report = await runDoctor({
          ...env,
          AUDIENCE: 'https://nope.example/api/',
          ...(scope === undefined ? {} : { SCOPE: scope }),
        });
        expect(report.exitCode).toBe(1);
        expect(statusOf(report.results)).toMatchObject({ 'Callback URL': 'pass', 'API access': 'fail' });
        expect(find(report.results, 'API access')).toEqual({
          title: 'API access',
          status: 'fail',
          detail: `the provider refused a sign-in for the audience https://nope.example/api/ with scope "${asked}": "access_denied: Service not found: https://nope.example/api/"`,
          fix: `create the API in Auth0 (Applications > APIs > Create API) with the identifier https://nope.example/api/ exactly${allow}; or set AUDIENCE to the identifier of an existing API (Auth0's Management API is https://YOUR_TENANT.auth0.com/api/v2/, trailing slash included).`,
        });
        expect(formatChecklist(report.heading, report.results)).toMatch(/1 of 10 checks failed\./);
      },
    );

    it.each([
      {
        refusal: 'Auth0\'s "Client is not authorized to access resource server"',
        error: 'access_denied',
        description: (audience: string) =>
          `Client "dev-client" is not authorized to access resource server "${audience}".`,
        fix: /Application Access, authorize this application for user access with the scopes read:current_user .*first-party/,
      },
      {
        refusal: 'an OAuth invalid_scope',
        error: 'invalid_scope',
        description: () => 'read:current_user is not a valid scope',
        fix: /^define the scopes read:current_user update:current_user_metadata create:current_user_metadata on the API/,
      },
    ])('recognises $refusal and says what to allow', async ({ error, description, fix }) => {
      authorizations.refuseApi(error, description(provider.managementAudience));
      const report = await runDoctor({ ...env, AUDIENCE: provider.managementAudience });
      expect(statusOf(report.results)).toMatchObject({ 'Callback URL': 'pass', 'API access': 'fail' });
      expect(find(report.results, 'API access')).toMatchObject({
        detail: expect.stringContaining(`: "${error}: ${description(provider.managementAudience)}"`) as unknown,
        fix: expect.stringMatching(fix) as unknown,
      });
    });

    it("quotes the provider's refusal without markup or control characters, and cut short", async () => {
      authorizations.refuseApi('access_denied', `<b>Service not found</b>\u001b[31m: ${'x'.repeat(1000)}`);
      const report = await runDoctor({ ...env, AUDIENCE: provider.managementAudience });
      const detail = find(report.results, 'API access')?.detail ?? '';
      const quoted = /: "(.*)"$/.exec(detail)?.[1] ?? '';
      expect(quoted).toMatch(/^access_denied: Service not found \[31m: x+…$/);
      expect(quoted.length).toBeLessThanOrEqual(200);
      expect(detail).not.toContain('<');
      expect(detail).not.toContain('\u001b');
      expect(find(report.results, 'API access')?.fix).toMatch(/^create the API in Auth0/);
    });

    it('warns (only) about a provider that lists no offline_access scope and publishes no revocation endpoint', async () => {
      faults.set('/.well-known/openid-configuration', {
        kind: 'answer',
        status: 200,
        type: 'json',
        body: {
          issuer: provider.issuer.issuerBaseURL,
          authorization_endpoint: `${provider.origin}/authorize`,
          token_endpoint: `${provider.origin}/oauth/token`,
          jwks_uri: `${provider.origin}/.well-known/jwks.json`,
          end_session_endpoint: `${provider.origin}/oidc/logout`,
          scopes_supported: ['openid', 'profile', 'email'],
        },
      });
      const report = await runDoctor({ ...env, AUDIENCE: provider.managementAudience });
      expect(find(report.results, 'Refresh tokens')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('does not list offline_access') as unknown,
        fix: expect.stringContaining('Allow Offline Access') as unknown,
      });
      expect(find(report.results, 'Token revocation')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('refresh tokens cannot be revoked at logout') as unknown,
      });
      expect(find(report.results, 'API access')?.status).toBe('pass');
      expect(report.exitCode).toBe(0);
      expect(formatChecklist(report.heading, report.results)).toMatch(
        /All 10 checks passed, see the warnings above\.\n$/,
      );
    });

    it('does not ask about the API while the callback URL is refused (the refusal would have nowhere to go)', async () => {
      const report = await runDoctor({
        ...env,
        AUDIENCE: provider.managementAudience,
        BASE_URL: 'http://localhost:4200',
      });
      expect(find(report.results, 'API access')).toMatchObject({
        status: 'skip',
        detail: 'needs an accepted callback URL',
      });
      expect(authorizations.withAudience()).toEqual([]);
    });
  });

  it('tells a wrong client secret (invalid_client) from a refused code, and never prints the secret', async () => {
    const wrongSecret = 'a-wrong-secret-that-must-not-be-printed-42';
    const report = await runDoctor({ ...env, CLIENT_SECRET: wrongSecret });
    expect(report.exitCode).toBe(1);
    expect(statusOf(report.results)).toMatchObject({
      'Client credentials': 'fail',
      'Callback URL': 'pass',
      'Logout URL': 'pass',
    });
    expect(find(report.results, 'Client credentials')).toMatchObject({
      detail: expect.stringMatching(/refused CLIENT_ID\/CLIENT_SECRET \(HTTP 401 invalid_client/) as unknown,
      fix: expect.stringMatching(/Client Secret/) as unknown,
    });
    const printed = formatChecklist(report.heading, report.results);
    expect(printed).not.toContain(wrongSecret);
    expect(printed).not.toContain(provider.issuer.clientSecret);
    expect(printed).toMatch(/1 of 7 checks failed/);
  });

  it('finds a callback URL and a logout URL the provider does not know (BASE_URL not registered)', async () => {
    const report = await runDoctor({ ...env, BASE_URL: 'http://localhost:4200' });
    expect(report.exitCode).toBe(1);
    expect(statusOf(report.results)).toMatchObject({
      'Client credentials': 'pass',
      'Callback URL': 'fail',
      'Logout URL': 'fail',
    });
    expect(find(report.results, 'Callback URL')?.detail).toMatch(
      /refused the sign-in request for http:\/\/localhost:4200\/callback \(HTTP 400: .*redirect_uri/,
    );
    expect(find(report.results, 'Callback URL')?.fix).toMatch(
      /add http:\/\/localhost:4200\/callback exactly .* Allowed Callback URLs/,
    );
    expect(find(report.results, 'Logout URL')?.detail).toMatch(
      /refused to return to http:\/\/localhost:4200 after logout \(HTTP 400: .*post_logout_redirect_uri/,
    );
    expect(find(report.results, 'Logout URL')?.fix).toMatch(
      /add http:\/\/localhost:4200 exactly to Allowed Logout URLs/,
    );
  });

  it('finds an ISSUER_BASE_URL that reaches the provider under another name than its issuer', async () => {
    const otherName = provider.issuer.issuerBaseURL.replace('127.0.0.1', 'localhost');
    const report = await runDoctor({ ...env, ISSUER_BASE_URL: otherName });
    expect(report.exitCode).toBe(1);
    expect(statusOf(report.results)).toMatchObject({ Discovery: 'pass', Issuer: 'fail', 'Client credentials': 'pass' });
    expect(find(report.results, 'Issuer')?.fix).toBe(
      `set ISSUER_BASE_URL=${provider.issuer.issuerBaseURL} (exactly what the provider publishes; with Auth0 custom domains, use the domain the tenant issues tokens for).`,
    );
  });

  it('names an unknown client id in the fix', async () => {
    const report = await runDoctor({ ...env, CLIENT_ID: 'no-such-client' });
    expect(statusOf(report.results)).toMatchObject({ 'Client credentials': 'fail', 'Callback URL': 'fail' });
    expect(find(report.results, 'Callback URL')?.fix).toMatch(/check CLIENT_ID/);
  });

  it('reports an unreachable provider within PROVIDER_TIMEOUT_MS and skips what depends on it', async () => {
    faults.set('/.well-known/openid-configuration', { kind: 'delay', ms: 5000 });
    const startedAt = Date.now();
    const report = await runDoctor(env);
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(report.exitCode).toBe(1);
    expect(statusOf(report.results)).toEqual({
      Configuration: 'pass',
      Discovery: 'fail',
      Issuer: 'skip',
      'Client credentials': 'skip',
      'Callback URL': 'skip',
      'Logout URL': 'skip',
      'API access': 'skip',
      'Refresh tokens': 'skip',
      'Token revocation': 'skip',
      Clock: 'skip',
    });
    expect(find(report.results, 'Discovery')?.detail).toMatch(/could not be reached: no answer in time/);
  });

  it("finds a clock more than 60 s away from the provider's", async () => {
    faults.set('/.well-known/openid-configuration', {
      kind: 'answer',
      status: 200,
      type: 'json',
      body: {
        issuer: provider.issuer.issuerBaseURL,
        authorization_endpoint: `${provider.origin}/authorize`,
        token_endpoint: `${provider.origin}/oauth/token`,
        jwks_uri: `${provider.origin}/.well-known/jwks.json`,
        end_session_endpoint: `${provider.origin}/oidc/logout`,
      },
      headers: { date: new Date(Date.now() + 5 * 60_000).toUTCString() },
    });
    const report = await runDoctor(env);
    expect(find(report.results, 'Clock')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/clock is (299|300|301) s behind the provider's/) as unknown,
    });
    expect(report.exitCode).toBe(1);
  });

  describe("reading Auth0's answers", () => {
    it('recognises a redirect to the error page as "Callback URL mismatch"', async () => {
      const description =
        'Callback URL mismatch. http://localhost:4100/callback is not in the list of allowed callback URLs';
      faults.set('/authorize', {
        kind: 'answer',
        status: 302,
        body: '',
        headers: {
          location: `/error?client=abc&error=unauthorized_client&error_description=${encodeURIComponent(description)}&tracking=x1`,
        },
      });
      const report = await runDoctor(env);
      expect(find(report.results, 'Callback URL')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining(`unauthorized_client: ${description}`) as unknown,
      });
    });

    it('recognises the token endpoint\'s 401 access_denied "Unauthorized" as wrong credentials, and 403 invalid_grant as right ones', async () => {
      faults.set('/oauth/token', {
        kind: 'answer',
        status: 401,
        body: { error: 'access_denied', error_description: 'Unauthorized' },
      });
      expect(find((await runDoctor(env)).results, 'Client credentials')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('HTTP 401 access_denied "Unauthorized"') as unknown,
      });
      faults.set('/oauth/token', {
        kind: 'answer',
        status: 403,
        body: { error: 'invalid_grant', error_description: 'Invalid authorization code' },
      });
      expect(find((await runDoctor(env)).results, 'Client credentials')?.status).toBe('pass');
    });

    it('recognises the "returnTo is not defined as a valid URL in Allowed Logout URLs" page', async () => {
      faults.set('/oidc/logout', {
        kind: 'answer',
        status: 400,
        type: 'html',
        body: '<html><body><h1>Oops!, something went wrong</h1><p>invalid_request: The "returnTo" querystring parameter "http://localhost:4100" is not defined as a valid URL in "Allowed Logout URLs".</p><script>x()</script></body></html>',
      });
      const logout = find((await runDoctor(env)).results, 'Logout URL');
      expect(logout?.status).toBe('fail');
      expect(logout?.detail).toContain(
        'HTTP 400: invalid_request: The "returnTo" querystring parameter "http://localhost:4100" is not defined as a valid URL',
      );
      expect(logout?.detail).not.toContain('<');
    });
  });
});

describe('npm run doctor with nothing configured', () => {
  it('checks the embedded development provider as npm start would run it (a self-test)', async () => {
    const report = await runDoctor({ NODE_ENV: 'test', PORT: '4300' });
    expect(report.heading.join('\n')).toContain('self-test against the embedded development provider');
    expect(report.results.every((result) => result.status === 'pass')).toBe(true);
    // Its Management API is the API, as with npm start.
    expect(find(report.results, 'API access')?.detail).toMatch(
      /^the provider accepts a sign-in for the audience http:\/\/127\.0\.0\.1:\d+\/api\/v2\/ with scope "openid profile email offline_access read:current_user /,
    );
    expect(report.exitCode).toBe(0);
  });
});

describe('npm run doctor with an invalid configuration', () => {
  it('fails a plain-http BASE_URL that is not loopback with NODE_ENV=production as a configuration error, not a warning', async () => {
    const report = await runDoctor({
      NODE_ENV: 'production',
      ISSUER_BASE_URL: 'https://tenant.example.com/',
      CLIENT_ID: 'client-id',
      CLIENT_SECRET: 'client-secret',
      SECRET: 'doctor-test-secret-0123456789abcdef',
      BASE_URL: 'http://app.example.com',
    });
    expect(report.exitCode).toBe(1);
    expect(report.results.filter((result) => result.title === 'Configuration')).toEqual([
      {
        title: 'Configuration',
        status: 'fail',
        detail: expect.stringMatching(
          /^BASE_URL must use https when NODE_ENV=production.*Secure.*__Host-.*HSTS/,
        ) as unknown,
      },
    ]);
    expect(report.results.filter((result) => result.status === 'skip')).toHaveLength(9);
  });

  it('does not start the embedded provider for a BASE_URL that is not loopback: it names the variables to set', async () => {
    const report = await runDoctor({ BASE_URL: 'https://app.example.com' });
    expect(report.exitCode).toBe(1);
    expect(report.heading.join('\n')).not.toContain('self-test');
    expect(find(report.results, 'Configuration')?.detail).toMatch(
      /^ISSUER_BASE_URL, CLIENT_ID, CLIENT_SECRET and SECRET are required when BASE_URL is not loopback/,
    );
  });

  it('lists every problem, skips the provider checks, and exits 1', async () => {
    const report = await runDoctor({ ISSUER_BASE_URL: 'https://tenant.example.com/', SECRET: 'short' });
    expect(report.exitCode).toBe(1);
    const problems = report.results.filter((result) => result.status === 'fail').map((result) => result.detail);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^CLIENT_ID is required/),
        expect.stringMatching(/^CLIENT_SECRET is required/),
        expect.stringMatching(/^BASE_URL is required/),
        expect.stringMatching(/^SECRET must be at least 32/),
      ]),
    );
    expect(report.results.filter((result) => result.status === 'skip')).toHaveLength(9);
  });
});

describe('the doctor command (the real process)', () => {
  it('prints the checklist and exits 0 when everything passes', async () => {
    const doctor = startServerProcess({ NODE_ENV: 'test', PORT: '4301' }, { entry: 'src/doctor/cli.ts' });
    expect(await withinTime(doctor.exited, 15_000, 'the doctor')).toBe(0);
    expect(doctor.output()).toMatch(/ {2}PASS {2}Callback URL: http:\/\/localhost:4301\/callback accepted/);
    expect(doctor.output()).toContain('All 10 checks passed.');
  });

  it('never loads the embedded provider when an issuer is configured (its modules are refused in that process)', async () => {
    const doctor = startServerProcess(
      {
        NODE_ENV: 'production',
        BASE_URL: 'http://localhost:4302',
        ISSUER_BASE_URL: `http://127.0.0.1:${await freePort()}/`,
        CLIENT_ID: 'client-id',
        CLIENT_SECRET: 'client-secret',
        SECRET: 'doctor-test-secret-0123456789abcdef',
        PROVIDER_TIMEOUT_MS: '1000',
      },
      {
        entry: 'src/doctor/cli.ts',
        preload: [new URL('../support/preload/refuse-dev-provider.ts', import.meta.url).href],
      },
    );
    expect(await withinTime(doctor.exited, 15_000, 'the doctor')).toBe(1);
    expect(doctor.output()).toMatch(/ {2}PASS {2}Configuration: .*\n {2}FAIL {2}Discovery: /);
    expect(doctor.output()).not.toContain(REFUSED_MODULE);
    expect(doctor.output()).not.toContain('Unsupported runtime');
  });

  it('exits 1 with a fix for each failure', async () => {
    const doctor = startServerProcess({ NODE_ENV: 'production' }, { entry: 'src/doctor/cli.ts' });
    expect(await withinTime(doctor.exited, 15_000, 'the doctor')).toBe(1);
    expect(doctor.output()).toMatch(/ {2}FAIL {2}Configuration: ISSUER_BASE_URL is required when NODE_ENV=production/);
    expect(doctor.output()).toMatch(/checks failed \(9 skipped\)\. Fix them, then run npm run doctor again\.\n$/);
  });
});
