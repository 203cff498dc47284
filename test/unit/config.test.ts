import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { auth0Env, problemsOf } from '../support/config-env.js';

const auth0 = auth0Env;
const secret = auth0.SECRET;

describe('loadConfig', () => {
  describe('with no configuration at all', () => {
    it('runs the development mode on port 3000 with a generated secret', () => {
      const config = loadConfig({}, () => 'generated-secret-'.padEnd(40, 'x'));
      expect(config.port).toBe(3000);
      expect(config.baseURL).toBe('http://localhost:3000');
      expect(config.issuer).toBeUndefined();
      expect(config.secrets).toEqual(['generated-secret-'.padEnd(40, 'x')]);
      expect(config.secretGenerated).toBe(true);
      expect(config.session).toEqual({ idleTimeoutSeconds: 1800, absoluteTimeoutSeconds: 43200, maxPerUser: 50 });
      expect(config.signInRateLimit).toBe(30);
      expect(config.backchannelLogoutRateLimit).toBe(600);
      expect(config.trustProxy).toBe(false);
    });

    it('listens on every interface unless HOST names one', () => {
      expect(loadConfig({}).host).toBeUndefined();
      expect(loadConfig({ HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
      expect(loadConfig({ HOST: '::1' }).host).toBe('::1');
    });

    it('derives BASE_URL from PORT', () => {
      expect(loadConfig({ PORT: '4000' }).baseURL).toBe('http://localhost:4000');
    });

    it('writes readable log lines in development and JSON elsewhere, unless LOG_FORMAT says otherwise', () => {
      expect(loadConfig({}).logFormat).toBe('pretty');
      expect(loadConfig({ NODE_ENV: 'test' }).logFormat).toBe('json');
      expect(loadConfig({ ...auth0, NODE_ENV: 'production' }).logFormat).toBe('json');
      expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    });

    it('drains for at most 10 s on shutdown, with no delay before it', () => {
      expect(loadConfig({}).shutdown).toEqual({ timeoutMs: 10_000, delayMs: 0 });
    });

    it('gives clients 10 s to send their headers, 30 s for the whole request, and keeps idle connections 5 s', () => {
      expect(loadConfig({}).http).toEqual({
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        keepAliveTimeoutMs: 5000,
      });
      expect(
        loadConfig({ HEADERS_TIMEOUT_MS: '2000', REQUEST_TIMEOUT_MS: '2000', KEEP_ALIVE_TIMEOUT_MS: '65000' }).http,
      ).toEqual({
        headersTimeoutMs: 2000,
        requestTimeoutMs: 2000,
        keepAliveTimeoutMs: 65_000,
      });
    });

    it('treats empty values (copied from .env.example) as unset', () => {
      const config = loadConfig({ ISSUER_BASE_URL: '', CLIENT_ID: ' ', SECRET: '' });
      expect(config.issuer).toBeUndefined();
    });
  });

  describe('with an external provider', () => {
    it('accepts a complete Auth0 configuration', () => {
      const config = loadConfig(auth0);
      expect(config.issuer).toEqual({
        issuerBaseURL: auth0.ISSUER_BASE_URL,
        clientID: 'client-id',
        clientSecret: 'client-secret',
      });
      expect(config.baseURL).toBe('https://app.example.com');
      expect(config.secrets).toEqual([secret]);
      expect(config.secretGenerated).toBe(false);
    });

    it('strips a trailing slash from BASE_URL', () => {
      expect(loadConfig({ ...auth0, BASE_URL: 'https://app.example.com/' }).baseURL).toBe('https://app.example.com');
    });

    it('accepts a comma-separated list of secrets for rotation, newest first', () => {
      const previous = 'b'.repeat(40);
      expect(loadConfig({ ...auth0, SECRET: `${secret}, ${previous}` }).secrets).toEqual([secret, previous]);
    });

    it('names every missing variable at once', () => {
      const problems = problemsOf({ ISSUER_BASE_URL: 'https://tenant.auth0.com/' });
      expect(problems).toEqual([
        expect.stringMatching(/^CLIENT_ID is required when ISSUER_BASE_URL is set/),
        expect.stringMatching(/^CLIENT_SECRET is required when ISSUER_BASE_URL is set/),
        expect.stringMatching(/^BASE_URL is required when ISSUER_BASE_URL is set/),
        expect.stringMatching(/^SECRET is required when ISSUER_BASE_URL is set.*randomBytes\(32\)/),
      ]);
    });

    it('refuses a plain-http issuer that is not on localhost', () => {
      expect(problemsOf({ ...auth0, ISSUER_BASE_URL: 'http://tenant.auth0.com/' })).toEqual([
        expect.stringMatching(/^ISSUER_BASE_URL must use https/),
      ]);
    });

    it('accepts a plain-http issuer on localhost', () => {
      expect(loadConfig({ ...auth0, ISSUER_BASE_URL: 'http://127.0.0.1:4000/' }).issuer?.issuerBaseURL).toBe(
        'http://127.0.0.1:4000/',
      );
    });
  });

  describe('in production (fail closed)', () => {
    const production = { ...auth0, NODE_ENV: 'production' };
    const httpsOnly =
      /^BASE_URL must use https when NODE_ENV=production.*cookies cannot be Secure.*__Host- prefix.*no HSTS.*set BASE_URL=https:\/\//;

    it('refuses a plain-http BASE_URL that is not loopback, saying what http loses and how to fix it', () => {
      expect(problemsOf({ ...production, BASE_URL: 'http://app.example.com' })).toEqual([
        expect.stringMatching(httpsOnly),
      ]);
      expect(problemsOf({ ...production, BASE_URL: 'http://10.0.0.5:3000' })).toEqual([
        expect.stringMatching(httpsOnly),
      ]);
    });

    it.each([
      'http://localhost:3000',
      'http://127.0.0.1:3000',
      'http://127.8.9.10',
      'http://[::1]:3000',
      'http://127.1:3000',
    ])('accepts the loopback http BASE_URL %s (the benchmark runs production on one)', (baseURL) => {
      expect(loadConfig({ ...production, BASE_URL: baseURL }).nodeEnv).toBe('production');
    });

    it('refuses names that only look like loopback', () => {
      for (const baseURL of [
        'http://localhost.example.com',
        'http://127.0.0.1.nip.io',
        'http://[::2]',
        'http://128.0.0.1',
      ]) {
        expect(problemsOf({ ...production, BASE_URL: baseURL })).toEqual([expect.stringMatching(httpsOnly)]);
      }
    });

    it('for any host, accepts http only on 127.0.0.0/8 and https everywhere', () => {
      const host = fc.oneof(fc.domain(), fc.ipV4(), fc.ipV4Extended());
      fc.assert(
        fc.property(host, (name) => {
          const loopback = new URL(`http://${name}`).hostname.startsWith('127.');
          expect(loadConfig({ ...production, BASE_URL: `https://${name}` }).baseURL).toMatch(/^https:/);
          if (loopback) expect(loadConfig({ ...production, BASE_URL: `http://${name}` }).baseURL).toMatch(/^http:/);
          else
            expect(problemsOf({ ...production, BASE_URL: `http://${name}` })).toEqual([
              expect.stringMatching(httpsOnly),
            ]);
        }),
        { numRuns: 300 },
      );
    });

    it('still accepts plain http outside production (a development app on a LAN address)', () => {
      expect(loadConfig({ ...auth0, BASE_URL: 'http://192.168.1.20:3000' }).baseURL).toBe('http://192.168.1.20:3000');
    });
  });

  describe('the embedded development provider', () => {
    const offMachine =
      /the embedded development provider only runs for a loopback BASE_URL \(localhost, 127\.0\.0\.0\/8 or \[::1\]\)/;

    it.each([undefined, 'development', 'test'])(
      'is refused for a BASE_URL that is not loopback (NODE_ENV=%s), naming every missing variable',
      (nodeEnv) => {
        const env = { BASE_URL: 'https://app.example.com', ...(nodeEnv ? { NODE_ENV: nodeEnv } : {}) };
        expect(problemsOf(env)).toEqual([
          expect.stringMatching(
            /^ISSUER_BASE_URL, CLIENT_ID, CLIENT_SECRET and SECRET are required when BASE_URL is not loopback/,
          ),
        ]);
        expect(problemsOf(env)[0]).toMatch(offMachine);
      },
    );

    it('names only the variables that are missing', () => {
      expect(problemsOf({ BASE_URL: 'http://192.168.1.20:3000', SECRET: secret })).toEqual([
        expect.stringMatching(
          /^ISSUER_BASE_URL, CLIENT_ID and CLIENT_SECRET are required when BASE_URL is not loopback/,
        ),
      ]);
    });

    it('runs for a loopback BASE_URL', () => {
      expect(loadConfig({ BASE_URL: 'http://127.0.0.1:4000' }).issuer).toBeUndefined();
      expect(loadConfig({ BASE_URL: 'http://[::1]:4000' }).issuer).toBeUndefined();
    });
  });

  describe('reports, naming the variable and the fix,', () => {
    it.each([
      [{ SECRET: 'too-short' }, /^SECRET must be at least 32 characters long.*generate one with/],
      [{ SECRET: `${secret},short` }, /^SECRET must be at least 32 characters long/],
      [{ BASE_URL: 'localhost:3000' }, /^BASE_URL must be an absolute http\(s\) URL such as http:\/\/localhost:3000/],
      [{ BASE_URL: 'ftp://example.com' }, /^BASE_URL must be an absolute http\(s\) URL/],
      [
        { ISSUER_BASE_URL: 'tenant.auth0.com' },
        /^ISSUER_BASE_URL must be an absolute http\(s\) URL such as https:\/\/YOUR_TENANT\.auth0\.com\//,
      ],
      [{ PORT: 'eighty' }, /^PORT must be a port number/],
      [{ PORT: '70000' }, /^PORT must be between 0 and 65535/],
      [{ HOST: 'http://127.0.0.1' }, /^HOST must be a host name or IP address to listen on/],
      [{ NODE_ENV: 'staging' }, /^NODE_ENV must be one of development, production or test/],
      [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
      [{ SESSION_IDLE_TIMEOUT: '10' }, /^SESSION_IDLE_TIMEOUT must be at least 60 seconds/],
      [{ SESSION_IDLE_TIMEOUT: '90.5' }, /^SESSION_IDLE_TIMEOUT must be a whole number of seconds/],
      [{ SESSION_ABSOLUTE_TIMEOUT: 'forever' }, /^SESSION_ABSOLUTE_TIMEOUT must be a number of seconds/],
      [
        { SESSION_IDLE_TIMEOUT: '7200', SESSION_ABSOLUTE_TIMEOUT: '3600' },
        /^SESSION_ABSOLUTE_TIMEOUT must not be shorter than SESSION_IDLE_TIMEOUT/,
      ],
      [{ PROVIDER_TIMEOUT_MS: '100' }, /^PROVIDER_TIMEOUT_MS must be at least 500/],
      [{ SHUTDOWN_TIMEOUT_MS: 'soon' }, /^SHUTDOWN_TIMEOUT_MS must be a number of milliseconds/],
      [{ SHUTDOWN_TIMEOUT_MS: '999999' }, /^SHUTDOWN_TIMEOUT_MS must be at most 300000/],
      [{ SHUTDOWN_DELAY_MS: '-1' }, /^SHUTDOWN_DELAY_MS must be at least 0/],
      [{ LOG_FORMAT: 'xml' }, /^LOG_FORMAT must be json or pretty/],
      [{ HEADERS_TIMEOUT_MS: '500' }, /^HEADERS_TIMEOUT_MS must be at least 1000/],
      [{ HEADERS_TIMEOUT_MS: 'soon' }, /^HEADERS_TIMEOUT_MS must be a number of milliseconds/],
      [{ REQUEST_TIMEOUT_MS: '0' }, /^REQUEST_TIMEOUT_MS must be at least 1000/],
      [{ REQUEST_TIMEOUT_MS: '999999' }, /^REQUEST_TIMEOUT_MS must be at most 300000/],
      [
        { HEADERS_TIMEOUT_MS: '20000', REQUEST_TIMEOUT_MS: '15000' },
        /^REQUEST_TIMEOUT_MS must not be shorter than HEADERS_TIMEOUT_MS/,
      ],
      [{ KEEP_ALIVE_TIMEOUT_MS: '100' }, /^KEEP_ALIVE_TIMEOUT_MS must be at least 1000/],
      [{ KEEP_ALIVE_TIMEOUT_MS: '9999999' }, /^KEEP_ALIVE_TIMEOUT_MS must be at most 600000/],
      [{ CLIENT_ID: 'abc' }, /^CLIENT_ID is set but ISSUER_BASE_URL is not/],
      [{ CLIENT_SECRET: 'abc' }, /^CLIENT_SECRET is set but ISSUER_BASE_URL is not/],
      [
        { NODE_ENV: 'production' },
        /^ISSUER_BASE_URL is required when NODE_ENV=production: the embedded development provider never runs in production/,
      ],
      [
        { REDIS_URL: 'localhost:6379' },
        /^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL such as redis:\/\/localhost:6379/,
      ],
      [{ REDIS_URL: 'http://cache.internal:6379' }, /^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
      [{ REDIS_TIMEOUT_MS: '10' }, /^REDIS_TIMEOUT_MS must be at least 50/],
      [{ REDIS_TIMEOUT_MS: '60000' }, /^REDIS_TIMEOUT_MS must be at most 10000/],
      [{ REDIS_TIMEOUT_MS: 'fast' }, /^REDIS_TIMEOUT_MS must be a number of milliseconds/],
      [{ REQUIRE_REDIS: 'yes' }, /^REQUIRE_REDIS must be true or false/],
      [
        { REDIS_URL: 'redis://localhost:6379' },
        /^SECRET is required when REDIS_URL is set: every instance must sign cookies with the same secret/,
      ],
      [
        { REDIS_SENTINELS: 'sentinel-1:26379', REDIS_SENTINEL_NAME: 'mymaster' },
        /^SECRET is required when REDIS_SENTINELS is set: every instance must sign cookies with the same secret/,
      ],
      [
        { REDIS_SENTINELS: 'sentinel-1', REDIS_SENTINEL_NAME: 'mymaster', SECRET: secret },
        /^REDIS_SENTINELS must be a comma-separated list of Sentinel addresses as host:port, such as sentinel-1:26379/,
      ],
      [
        { REDIS_SENTINELS: 'sentinel-1:26379,sentinel-2:99999', REDIS_SENTINEL_NAME: 'mymaster', SECRET: secret },
        /^REDIS_SENTINELS must be a comma-separated list of Sentinel addresses as host:port/,
      ],
      [
        { REDIS_SENTINELS: 'sentinel-1:26379', SECRET: secret },
        /^REDIS_SENTINEL_NAME is required when REDIS_SENTINELS is set: the name the Sentinels monitor the primary under/,
      ],
      [
        { REDIS_SENTINELS: 'sentinel-1:26379', REDIS_SENTINEL_NAME: 'my master', SECRET: secret },
        /^REDIS_SENTINEL_NAME must be the name the Sentinels monitor the primary under/,
      ],
      [
        {
          REDIS_URL: 'redis://localhost:6379',
          REDIS_SENTINELS: 'sentinel-1:26379',
          REDIS_SENTINEL_NAME: 'mymaster',
          SECRET: secret,
        },
        /^REDIS_URL and REDIS_SENTINELS are both set: keep REDIS_URL for a single Redis .*or keep REDIS_SENTINELS and REDIS_SENTINEL_NAME for Redis Sentinel, and remove the other/,
      ],
      [
        { REDIS_SENTINEL_NAME: 'mymaster' },
        /^REDIS_SENTINEL_NAME is set but REDIS_SENTINELS is not: set REDIS_SENTINELS/,
      ],
      [
        { REDIS_URL: 'redis://localhost:6379', REDIS_PASSWORD: 'pw', SECRET: secret },
        /^REDIS_PASSWORD is set but REDIS_SENTINELS is not: .*the password goes in the URL/,
      ],
      [{ REDIS_TLS: 'true' }, /^REDIS_TLS=true is set but REDIS_SENTINELS is not: .*use a rediss:\/\/ URL for TLS/],
      [{ REDIS_TLS: 'yes' }, /^REDIS_TLS must be true or false/],
      [
        { REQUIRE_REDIS: 'true' },
        /^REDIS_URL is required when REQUIRE_REDIS=true: set it to your Redis.*or set REQUIRE_REDIS=false/,
      ],
      [{ SIGN_IN_RATE_LIMIT: '0' }, /^SIGN_IN_RATE_LIMIT must be at least 1 \(rate limits cannot be switched off\)/],
      [{ SIGN_IN_RATE_LIMIT: 'lots' }, /^SIGN_IN_RATE_LIMIT must be a number of requests per minute, such as 30/],
      [{ SIGN_IN_RATE_LIMIT: '2.5' }, /^SIGN_IN_RATE_LIMIT must be a whole number of requests per minute/],
      [{ MAX_SESSIONS_PER_USER: '0' }, /^MAX_SESSIONS_PER_USER must be at least 1/],
      [{ MAX_SESSIONS_PER_USER: 'many' }, /^MAX_SESSIONS_PER_USER must be a number of sessions, such as 50/],
      [{ MAX_MEMORY_SESSIONS: '10' }, /^MAX_MEMORY_SESSIONS must be at least 100/],
      [{ MAX_MEMORY_SESSIONS: '1e9' }, /^MAX_MEMORY_SESSIONS must be at most 10000000/],
      [
        { BACKCHANNEL_LOGOUT_RATE_LIMIT: '0' },
        /^BACKCHANNEL_LOGOUT_RATE_LIMIT must be at least 1 \(rate limits cannot be switched off\)/,
      ],
      [
        { BACKCHANNEL_LOGOUT_RATE_LIMIT: 'many' },
        /^BACKCHANNEL_LOGOUT_RATE_LIMIT must be a number of requests per minute, such as 600/,
      ],
      [{ BACKCHANNEL_LOGOUT_RATE_LIMIT: '2000000' }, /^BACKCHANNEL_LOGOUT_RATE_LIMIT must be at most 1000000/],
      [
        { TRUST_PROXY: 'true' },
        /^TRUST_PROXY=true would believe the X-Forwarded-For header of any client.*number of proxies in front of the app/,
      ],
      [
        { TRUST_PROXY: 'yes please' },
        /^TRUST_PROXY must be a number of proxies or a comma-separated list of addresses; set it to/,
      ],
      [{ TRUST_PROXY: '10.0.0.0/33' }, /^TRUST_PROXY must be a number of proxies/],
      [{ TRUST_PROXY: '10.0.0.1,proxy.example' }, /^TRUST_PROXY must be a number of proxies/],
    ])('%j', (env, expected) => {
      expect(problemsOf(env)).toContainEqual(expect.stringMatching(expected));
    });
  });

  describe('sessions', () => {
    it('keep sessions in memory unless REDIS_URL is set', () => {
      expect(loadConfig({}).sessionStore).toEqual({
        redisUrl: undefined,
        sentinel: undefined,
        redisTimeoutMs: 500,
        requireRedis: false,
        maxMemorySessions: 100_000,
      });
    });

    it('use Redis when REDIS_URL is set, TLS (rediss) included', () => {
      const config = loadConfig({
        REDIS_URL: 'rediss://:pw@cache.internal:6380/2',
        REDIS_TIMEOUT_MS: '250',
        REQUIRE_REDIS: 'true',
        SECRET: secret,
      });
      expect(config.sessionStore).toEqual({
        redisUrl: 'rediss://:pw@cache.internal:6380/2',
        sentinel: undefined,
        redisTimeoutMs: 250,
        requireRedis: true,
        maxMemorySessions: 100_000,
      });
    });

    it('use Redis Sentinel when REDIS_SENTINELS and REDIS_SENTINEL_NAME are set, with passwords and TLS', () => {
      const config = loadConfig({
        REDIS_SENTINELS: ' sentinel-1:26379, 10.0.0.2:26380 ,[::1]:26381',
        REDIS_SENTINEL_NAME: 'mymaster',
        REDIS_PASSWORD: 'primary-pw',
        REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
        REDIS_TLS: 'true',
        REQUIRE_REDIS: 'true',
        SECRET: secret,
      });
      expect(config.sessionStore.redisUrl).toBeUndefined();
      expect(config.sessionStore.sentinel).toEqual({
        sentinels: [
          { host: 'sentinel-1', port: 26379 },
          { host: '10.0.0.2', port: 26380 },
          { host: '::1', port: 26381 },
        ],
        name: 'mymaster',
        password: 'primary-pw',
        sentinelPassword: 'sentinel-pw',
        tls: true,
      });
    });

    it('connect to Sentinels without passwords or TLS unless asked', () => {
      const { sentinel } = loadConfig({
        REDIS_SENTINELS: 'a:1',
        REDIS_SENTINEL_NAME: 'm',
        SECRET: secret,
      }).sessionStore;
      expect(sentinel).toEqual({
        sentinels: [{ host: 'a', port: 1 }],
        name: 'm',
        password: undefined,
        sentinelPassword: undefined,
        tls: false,
      });
    });

    it('never echo the Sentinel passwords in a configuration error', () => {
      const problems = problemsOf({ REDIS_PASSWORD: 's3cret', REDIS_SENTINEL_PASSWORD: 's3cret2' }).join('\n');
      expect(problems).not.toContain('s3cret');
    });

    it('never echo REDIS_URL (it may hold a password) in a configuration error', () => {
      expect(problemsOf({ REDIS_URL: 'redis//:s3cret@host' }).join('\n')).not.toContain('s3cret');
    });
  });

  describe('TRUST_PROXY', () => {
    it('is off by default: the client address is the connecting socket', () => {
      expect(loadConfig({}).trustProxy).toBe(false);
      expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
      expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    });

    it('takes a number of proxy hops', () => {
      expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    });

    it('takes addresses, subnets and named ranges of the proxies', () => {
      expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,2001:db8::1' }).trustProxy).toEqual([
        'loopback',
        '10.0.0.0/8',
        '2001:db8::1',
      ]);
    });
  });

  it('lists several independent problems together', () => {
    const problems = problemsOf({ PORT: 'x', BASE_URL: 'nope', SECRET: 'short' });
    expect(problems).toHaveLength(3);
  });

  it('reads numbers as Number() does, with one message for a value that is no whole number', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(0);
    expect(loadConfig({ PORT: ' 4000 ' }).port).toBe(4000);
    expect(loadConfig({ SESSION_IDLE_TIMEOUT: '1e3' }).session.idleTimeoutSeconds).toBe(1000);
    expect(problemsOf({ SESSION_IDLE_TIMEOUT: '' })).toEqual(['SESSION_IDLE_TIMEOUT must be at least 60 seconds']);
    expect(problemsOf({ PORT: 'Infinity' })).toEqual(['PORT must be a port number such as 3000']);
    expect(problemsOf({ SHUTDOWN_TIMEOUT_MS: '-1.5' })).toEqual([
      'SHUTDOWN_TIMEOUT_MS must be a whole number of milliseconds',
    ]);
    // Beyond 2^53 a number is whole but not exact: both what is wrong with it and the bound it breaks.
    expect(problemsOf({ PORT: '1e20' })).toEqual([
      'PORT must be a whole number such as 3000',
      'PORT must be between 0 and 65535',
    ]);
  });

  it('trims every value but NODE_ENV and LOG_LEVEL, which must be spelled exactly', () => {
    expect(loadConfig({ REQUIRE_REDIS: ' false ', LOG_FORMAT: ' json ', HOST: ' ::1 ' })).toMatchObject({
      host: '::1',
      logFormat: 'json',
    });
    expect(problemsOf({ NODE_ENV: ' test', LOG_LEVEL: 'info ' })).toEqual([
      'NODE_ENV must be one of development, production or test',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace or silent',
    ]);
  });

  it('does not blame a missing ISSUER_BASE_URL when it is set but malformed', () => {
    const problems = problemsOf({
      ISSUER_BASE_URL: 'not a url',
      CLIENT_ID: 'id',
      CLIENT_SECRET: 's',
      BASE_URL: 'https://a.example',
      SECRET: secret,
    });
    expect(problems).toEqual([expect.stringMatching(/^ISSUER_BASE_URL must be an absolute/)]);
  });

  it('formats the message as one list that points to .env.example', () => {
    try {
      loadConfig({ SECRET: 'short' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^Configuration is invalid:\n {2}- SECRET must be/);
      expect((error as Error).message).toMatch(/See \.env\.example for every variable\.$/);
    }
  });
});
