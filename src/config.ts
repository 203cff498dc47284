import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import * as v from 'valibot';
import { isLoopbackUrl } from './loopback.js';

const MIN_SECRET_LENGTH = 32;
const SECRET_HINT = `generate one with: node -e "console.log(require('node:crypto').randomBytes(32).toString('hex'))"`;
const LOOPBACK = 'localhost, 127.0.0.0/8 or [::1]';
/** What signing in needs when the embedded provider may not run. */
const PROVIDER_VARIABLES = ['ISSUER_BASE_URL', 'CLIENT_ID', 'CLIENT_SECRET', 'SECRET'] as const;

/** Environment values are strings; an empty one (`CLIENT_ID=` copied from .env.example) means "not set". */
const optionalText = v.pipe(
  v.optional(v.string()),
  v.transform((value) => value?.trim() || undefined),
);

const httpUrl = (variable: string, example: string) =>
  v.pipe(
    v.string(),
    v.check(
      (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
      `${variable} must be an absolute http(s) URL such as ${example}`,
    ),
  );

/** A variable whose value, when set, `schema` checks (trimmed). */
const whenSet = <TSchema extends v.GenericSchema<string>>(schema: TSchema) => v.pipe(optionalText, v.optional(schema));

/** A switch: unset or empty is off. */
const trueOrFalse = (variable: string) =>
  v.pipe(
    optionalText,
    v.optional(
      v.pipe(
        v.picklist(['true', 'false'], `${variable} must be true or false`),
        v.transform((value) => value === 'true'),
      ),
      'false',
    ),
  );

/**
 * A whole number from the environment, read with `Number()`: spaces around it are ignored and an
 * empty value is 0 (so `PORT=` picks a free port, and `SESSION_IDLE_TIMEOUT=` is refused as too
 * short). Unset, it is `fallback`.
 */
function wholeNumber(
  fallback: number,
  messages: { notNumber: string; notWhole: string; min: [number, string]; max?: [number, string] },
) {
  const checked = v.pipe(
    v.string(),
    v.transform(Number),
    // Schemas, not checks: the pipe stops at a failed one, so a value that is not a (whole) number
    // gets that one message, not also "too small" or "too large".
    v.custom<number>(Number.isFinite, messages.notNumber),
    v.custom<number>(Number.isInteger, messages.notWhole),
    v.safeInteger(messages.notWhole),
    v.minValue(...messages.min),
  );
  // The fallback goes through the checks too, as a string: it is within bounds.
  return v.optional(messages.max ? v.pipe(checked, v.maxValue(...messages.max)) : checked, String(fallback));
}

const wholeSeconds = (variable: string, min: number, fallback: number) =>
  wholeNumber(fallback, {
    notNumber: `${variable} must be a number of seconds`,
    notWhole: `${variable} must be a whole number of seconds`,
    min: [min, `${variable} must be at least ${min} seconds`],
  });

const milliseconds = (variable: string, min: number, max: number, fallback: number) =>
  wholeNumber(fallback, {
    notNumber: `${variable} must be a number of milliseconds`,
    notWhole: `${variable} must be a whole number of milliseconds`,
    min: [min, `${variable} must be at least ${min}`],
    max: [max, `${variable} must be at most ${max}`],
  });

/** A rate limit: requests a minute per client address, never 0 (a limit cannot be switched off). */
const requestsPerMinute = (variable: string, fallback: number) =>
  wholeNumber(fallback, {
    notNumber: `${variable} must be a number of requests per minute, such as ${fallback}`,
    notWhole: `${variable} must be a whole number of requests per minute`,
    min: [1, `${variable} must be at least 1 (rate limits cannot be switched off)`],
    max: [1_000_000, `${variable} must be at most 1000000`],
  });

const sessionCount = (variable: string, min: number, max: number, fallback: number) =>
  wholeNumber(fallback, {
    notNumber: `${variable} must be a number of sessions, such as ${fallback}`,
    notWhole: `${variable} must be a whole number of sessions`,
    min: [min, `${variable} must be at least ${min}`],
    max: [max, `${variable} must be at most ${max}`],
  });

/** What the app asks the Management API for when SCOPE is unset: what /account needs. */
export const DEFAULT_API_SCOPES = ['read:current_user', 'update:current_user_metadata', 'create:current_user_metadata'];
/**
 * Where the roles are in the ID token: an Auth0 Action adds them (`api.idToken.setCustomClaim`)
 * under a claim namespaced with a URL. The embedded provider uses the same name.
 */
export const DEFAULT_ROLES_CLAIM = 'https://auth0-express-login/roles';
/** RFC 6749 scope-token characters: printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** Asked for by the app itself whenever it calls an API: these may not be in SCOPE. */
const OWN_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

const scopeList = v.pipe(
  optionalText,
  v.rawTransform(({ dataset: { value }, addIssue, NEVER }): string[] | undefined => {
    if (value === undefined) return undefined;
    const scopes = value.split(/\s+/);
    const bad = scopes.find((scope) => !SCOPE_TOKEN.test(scope) || scope.length > 200);
    if (bad !== undefined || scopes.length > 50) {
      addIssue({
        message:
          'SCOPE must be a space-separated list of at most 50 scopes, such as "read:current_user update:current_user_metadata" (no quotes or backslashes)',
      });
      return NEVER;
    }
    const own = scopes.filter((scope) => OWN_SCOPES.has(scope));
    if (own.length > 0) {
      addIssue({
        message: `SCOPE lists ${own.join(', ')}, which the app always asks for itself: list only your API's scopes`,
      });
      return NEVER;
    }
    return [...new Set(scopes)];
  }),
);

/** One Sentinel's address: a host name or IPv4 address and a port (IPv6 in brackets). */
const SENTINEL_ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** REDIS_SENTINELS: a comma-separated list of host:port, as node-redis's `sentinelRootNodes`. */
const sentinelList = v.pipe(
  optionalText,
  v.rawTransform(({ dataset: { value }, addIssue, NEVER }): { host: string; port: number }[] | undefined => {
    if (value === undefined) return undefined;
    const nodes = value.split(',').map((entry) => SENTINEL_ADDRESS.exec(entry.trim()));
    const parsed = nodes.flatMap((match) =>
      match?.[1] && match[2] && Number(match[2]) >= 1 && Number(match[2]) <= 65535
        ? [{ host: match[1].replace(/^\[|\]$/g, ''), port: Number(match[2]) }]
        : [],
    );
    if (parsed.length !== nodes.length || parsed.length > 20) {
      addIssue({
        message:
          'REDIS_SENTINELS must be a comma-separated list of Sentinel addresses as host:port, such as sentinel-1:26379,sentinel-2:26379,sentinel-3:26379',
      });
      return NEVER;
    }
    return parsed;
  }),
);

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const TRUST_PROXY_HINT =
  'set it to the number of proxies in front of the app (such as 1) or to their addresses (such as 10.0.0.0/8 or loopback), or leave it unset when clients connect directly';

/** An address, a subnet in CIDR notation, or one of Express's named ranges. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
}

/**
 * Express's `trust proxy`: which X-Forwarded-For hops to believe for the client address (rate
 * limits, logs). `true` is refused: it would believe any client's header.
 */
const trustProxy = v.pipe(
  optionalText,
  v.rawTransform(({ dataset: { value }, addIssue, NEVER }): false | number | string[] => {
    if (value === undefined || value === 'false' || value === '0') return false;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim());
    if (entries.every(isProxyAddress)) return entries;
    addIssue({
      message:
        value === 'true'
          ? `TRUST_PROXY=true would believe the X-Forwarded-For header of any client, so anyone could pick their own address and escape rate limits; ${TRUST_PROXY_HINT}`
          : `TRUST_PROXY must be a number of proxies or a comma-separated list of addresses; ${TRUST_PROXY_HINT}`,
    });
    return NEVER;
  }),
);

/** One schema per variable: each is parsed on its own (see loadConfig). */
const envSchema = {
  NODE_ENV: v.optional(
    v.picklist(['development', 'production', 'test'], 'NODE_ENV must be one of development, production or test'),
    'development',
  ),
  PORT: wholeNumber(3000, {
    notNumber: 'PORT must be a port number such as 3000',
    notWhole: 'PORT must be a whole number such as 3000',
    min: [0, 'PORT must be between 0 and 65535'],
    max: [65535, 'PORT must be between 0 and 65535'],
  }),
  HOST: whenSet(
    v.pipe(
      v.string(),
      v.regex(
        /^(?:[A-Za-z0-9.-]+|\[?[0-9A-Fa-f:.]+\]?)$/,
        'HOST must be a host name or IP address to listen on, such as 127.0.0.1 (leave it unset for every interface)',
      ),
    ),
  ),
  BASE_URL: whenSet(httpUrl('BASE_URL', 'http://localhost:3000')),
  ISSUER_BASE_URL: whenSet(httpUrl('ISSUER_BASE_URL', 'https://YOUR_TENANT.auth0.com/')),
  CLIENT_ID: optionalText,
  CLIENT_SECRET: optionalText,
  SECRET: optionalText,
  AUDIENCE: whenSet(
    v.pipe(
      v.string(),
      v.maxLength(500, 'AUDIENCE must be at most 500 characters'),
      v.regex(
        /^\S+$/,
        'AUDIENCE must be the identifier of your API, without spaces, such as https://YOUR_TENANT.auth0.com/api/v2/ for the Management API',
      ),
    ),
  ),
  SCOPE: scopeList,
  ROLES_CLAIM: v.pipe(
    optionalText,
    v.optional(
      v.pipe(
        v.string(),
        v.maxLength(200, 'ROLES_CLAIM must be at most 200 characters'),
        v.regex(/^\S+$/, 'ROLES_CLAIM must be a claim name without spaces, such as https://example.com/roles'),
      ),
      DEFAULT_ROLES_CLAIM,
    ),
  ),
  DEV_PROVIDER_ACCESS_TOKEN_SECONDS: wholeSeconds('DEV_PROVIDER_ACCESS_TOKEN_SECONDS', 20, 120),
  SESSION_IDLE_TIMEOUT: wholeSeconds('SESSION_IDLE_TIMEOUT', 60, 30 * 60),
  SESSION_ABSOLUTE_TIMEOUT: wholeSeconds('SESSION_ABSOLUTE_TIMEOUT', 60, 12 * 60 * 60),
  PROVIDER_TIMEOUT_MS: milliseconds('PROVIDER_TIMEOUT_MS', 500, 30_000, 5000),
  REDIS_URL: whenSet(
    v.pipe(
      v.string(),
      v.check(
        (value) => URL.canParse(value) && /^rediss?:$/.test(new URL(value).protocol),
        'REDIS_URL must be a redis:// or rediss:// URL such as redis://localhost:6379 (rediss:// for TLS)',
      ),
    ),
  ),
  REDIS_SENTINELS: sentinelList,
  REDIS_SENTINEL_NAME: whenSet(
    v.pipe(
      v.string(),
      v.regex(
        /^[A-Za-z0-9._-]{1,100}$/,
        'REDIS_SENTINEL_NAME must be the name the Sentinels monitor the primary under (letters, digits, ".", "_" or "-"), such as mymaster',
      ),
    ),
  ),
  // With REDIS_URL the password and TLS are in the URL; Sentinel has no URL to carry them.
  REDIS_PASSWORD: optionalText,
  REDIS_SENTINEL_PASSWORD: optionalText,
  REDIS_TLS: trueOrFalse('REDIS_TLS'),
  REDIS_TIMEOUT_MS: milliseconds('REDIS_TIMEOUT_MS', 50, 10_000, 500),
  REQUIRE_REDIS: trueOrFalse('REQUIRE_REDIS'),
  MAX_SESSIONS_PER_USER: sessionCount('MAX_SESSIONS_PER_USER', 1, 1_000_000, 50),
  MAX_MEMORY_SESSIONS: sessionCount('MAX_MEMORY_SESSIONS', 100, 10_000_000, 100_000),
  SHUTDOWN_TIMEOUT_MS: milliseconds('SHUTDOWN_TIMEOUT_MS', 100, 300_000, 10_000),
  SHUTDOWN_DELAY_MS: milliseconds('SHUTDOWN_DELAY_MS', 0, 60_000, 0),
  HEADERS_TIMEOUT_MS: milliseconds('HEADERS_TIMEOUT_MS', 1000, 60_000, 10_000),
  REQUEST_TIMEOUT_MS: milliseconds('REQUEST_TIMEOUT_MS', 1000, 300_000, 30_000),
  KEEP_ALIVE_TIMEOUT_MS: milliseconds('KEEP_ALIVE_TIMEOUT_MS', 1000, 600_000, 5000),
  TRUST_PROXY: trustProxy,
  SIGN_IN_RATE_LIMIT: requestsPerMinute('SIGN_IN_RATE_LIMIT', 30),
  // A provider sends one logout token per ended session, in bursts when many end at once (an
  // administrator ending a user's sessions everywhere): generous, so that none is dropped.
  BACKCHANNEL_LOGOUT_RATE_LIMIT: requestsPerMinute('BACKCHANNEL_LOGOUT_RATE_LIMIT', 600),
  LOG_LEVEL: v.optional(
    v.picklist(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace or silent',
    ),
    'info',
  ),
  LOG_FORMAT: whenSet(v.picklist(['json', 'pretty'], 'LOG_FORMAT must be json or pretty')),
} satisfies Record<string, v.GenericSchema>;

type Env = { [Variable in keyof typeof envSchema]: v.InferOutput<(typeof envSchema)[Variable]> };

/** "A, B and C". */
function listOf(names: readonly string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}` : (names[0] ?? '');
}

/** Cross-field rules: each message names the variable and says how to fix it. */
function checkCombinations(env: Env, issue: (variable: string, message: string) => void): void {
  const issuerBaseURL = env.ISSUER_BASE_URL;
  const external = issuerBaseURL !== undefined;

  if (external) {
    if (!env.CLIENT_ID) {
      issue(
        'CLIENT_ID',
        'CLIENT_ID is required when ISSUER_BASE_URL is set: copy the Client ID from your Auth0 application settings',
      );
    }
    if (!env.CLIENT_SECRET) {
      issue(
        'CLIENT_SECRET',
        'CLIENT_SECRET is required when ISSUER_BASE_URL is set: copy the Client Secret from your Auth0 application settings',
      );
    }
    if (!env.BASE_URL) {
      issue(
        'BASE_URL',
        'BASE_URL is required when ISSUER_BASE_URL is set: the public URL of this app, such as https://app.example.com',
      );
    }
    // Judged as parsed, as the app will use it: `HTTPS://` is https, `HTTP://` and `\x01http://` are http.
    if (URL.canParse(issuerBaseURL) && new URL(issuerBaseURL).protocol !== 'https:' && !isLoopbackUrl(issuerBaseURL)) {
      issue(
        'ISSUER_BASE_URL',
        'ISSUER_BASE_URL must use https (plain http is only accepted for a provider on localhost)',
      );
    }
  } else {
    if (env.NODE_ENV === 'production') {
      issue(
        'ISSUER_BASE_URL',
        'ISSUER_BASE_URL is required when NODE_ENV=production: the embedded development provider never runs in production; set it to your Auth0 domain, such as https://YOUR_TENANT.auth0.com/',
      );
    }
    for (const variable of ['CLIENT_ID', 'CLIENT_SECRET'] as const) {
      if (env[variable]) {
        issue(
          variable,
          `${variable} is set but ISSUER_BASE_URL is not: set ISSUER_BASE_URL to your Auth0 domain, or remove ${variable} to use the embedded development provider`,
        );
      }
    }
  }

  // Unset or invalid (reported above), BASE_URL is the loopback default.
  const baseURL = env.BASE_URL;
  if (baseURL !== undefined && !isLoopbackUrl(baseURL)) {
    const host = new URL(baseURL).host;
    if (!external && env.NODE_ENV !== 'production') {
      // Its demo users' passwords are public: anyone who reaches the app could sign in as them.
      const missing = PROVIDER_VARIABLES.filter((variable) => env[variable] === undefined);
      issue(
        'BASE_URL',
        `${listOf(missing)} ${missing.length > 1 ? 'are' : 'is'} required when BASE_URL is not loopback (${host}): the embedded development provider only runs for a loopback BASE_URL (${LOOPBACK}), and its demo users' passwords are public; set them from your Auth0 application (see .env.example), or leave BASE_URL unset to develop on http://localhost:PORT`,
      );
    }
    if (env.NODE_ENV === 'production' && new URL(baseURL).protocol === 'http:') {
      issue(
        'BASE_URL',
        `BASE_URL must use https when NODE_ENV=production (plain http is only accepted for ${LOOPBACK}): over http, session cookies cannot be Secure nor take the __Host- prefix and no HSTS header is sent, so anyone on the network path can read or plant them; serve the app over https (terminate TLS in front of it) and set BASE_URL=https://${host}`,
      );
    }
  }

  if (env.SECRET === undefined) {
    if (external || env.NODE_ENV === 'production') {
      issue(
        'SECRET',
        `SECRET is required when ISSUER_BASE_URL is set or NODE_ENV=production (at least ${MIN_SECRET_LENGTH} characters); ${SECRET_HINT}`,
      );
    } else if (env.REDIS_URL !== undefined || env.REDIS_SENTINELS !== undefined) {
      // A secret made up at start would differ per instance and per restart: sessions in Redis would outlive every cookie.
      issue(
        'SECRET',
        `SECRET is required when ${env.REDIS_URL !== undefined ? 'REDIS_URL' : 'REDIS_SENTINELS'} is set: every instance must sign cookies with the same secret (at least ${MIN_SECRET_LENGTH} characters); ${SECRET_HINT}`,
      );
    }
  } else if (env.SECRET.split(',').some((secret) => secret.trim().length < MIN_SECRET_LENGTH)) {
    issue(
      'SECRET',
      `SECRET must be at least ${MIN_SECRET_LENGTH} characters long (each one, when rotating with a comma-separated list); ${SECRET_HINT}`,
    );
  }

  if (external && env.SCOPE !== undefined && env.AUDIENCE === undefined) {
    issue(
      'SCOPE',
      "SCOPE is set but AUDIENCE is not: scopes are asked for an API; set AUDIENCE to that API's identifier (for Auth0's Management API, https://YOUR_TENANT.auth0.com/api/v2/), or remove SCOPE",
    );
  }

  if (env.REQUIRE_REDIS && env.REDIS_URL === undefined && env.REDIS_SENTINELS === undefined) {
    issue(
      'REDIS_URL',
      'REDIS_URL is required when REQUIRE_REDIS=true: set it to your Redis, such as redis://redis.internal:6379 (or REDIS_SENTINELS and REDIS_SENTINEL_NAME for Redis Sentinel), or set REQUIRE_REDIS=false to allow in-memory sessions (one instance only)',
    );
  }

  checkSentinel(env, issue);

  // Node refuses to create a server otherwise: the headers are part of the request.
  if (env.REQUEST_TIMEOUT_MS < env.HEADERS_TIMEOUT_MS) {
    issue(
      'REQUEST_TIMEOUT_MS',
      'REQUEST_TIMEOUT_MS must not be shorter than HEADERS_TIMEOUT_MS (the headers are part of the request)',
    );
  }

  if (env.SESSION_ABSOLUTE_TIMEOUT < env.SESSION_IDLE_TIMEOUT) {
    issue('SESSION_ABSOLUTE_TIMEOUT', 'SESSION_ABSOLUTE_TIMEOUT must not be shorter than SESSION_IDLE_TIMEOUT');
  }
}

/** Redis Sentinel: its own variables, never mixed with REDIS_URL (which of the two would the app use?). */
function checkSentinel(env: Env, issue: (variable: string, message: string) => void): void {
  if (env.REDIS_SENTINELS !== undefined) {
    if (env.REDIS_URL !== undefined) {
      issue(
        'REDIS_SENTINELS',
        'REDIS_URL and REDIS_SENTINELS are both set: keep REDIS_URL for a single Redis (or a managed Redis with a failover endpoint), or keep REDIS_SENTINELS and REDIS_SENTINEL_NAME for Redis Sentinel, and remove the other',
      );
    }
    if (env.REDIS_SENTINEL_NAME === undefined) {
      issue(
        'REDIS_SENTINEL_NAME',
        "REDIS_SENTINEL_NAME is required when REDIS_SENTINELS is set: the name the Sentinels monitor the primary under (the <master-name> of 'sentinel monitor' in sentinel.conf), such as mymaster",
      );
    }
    return;
  }
  for (const variable of ['REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD', 'REDIS_PASSWORD'] as const) {
    if (env[variable] !== undefined) {
      issue(
        variable,
        `${variable} is set but REDIS_SENTINELS is not: set REDIS_SENTINELS to your Sentinels (host:port, comma-separated), or remove ${variable}${variable === 'REDIS_PASSWORD' ? ' (with REDIS_URL, the password goes in the URL: redis://:PASSWORD@host:6379)' : ''}`,
      );
    }
  }
  if (env.REDIS_TLS) {
    issue(
      'REDIS_TLS',
      'REDIS_TLS=true is set but REDIS_SENTINELS is not: set REDIS_SENTINELS to your Sentinels, or remove REDIS_TLS (with REDIS_URL, use a rediss:// URL for TLS)',
    );
  }
}

/** Where sign-in happens: a real OpenID Provider, or (undefined) the embedded development provider. */
export interface IssuerSettings {
  issuerBaseURL: string;
  clientID: string;
  clientSecret: string;
}

function toConfig(env: Env, generateSecret: () => string) {
  const baseURL = new URL(env.BASE_URL ?? `http://localhost:${env.PORT}`);
  const issuer: IssuerSettings | undefined =
    env.ISSUER_BASE_URL && env.CLIENT_ID && env.CLIENT_SECRET
      ? { issuerBaseURL: env.ISSUER_BASE_URL, clientID: env.CLIENT_ID, clientSecret: env.CLIENT_SECRET }
      : undefined;
  return {
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    /** Interface to listen on; undefined means every interface (Node's default). */
    host: env.HOST,
    /** Origin plus path, never with a trailing slash, so `${baseURL}/callback` is always right. */
    baseURL: baseURL.href.replace(/\/+$/, ''),
    /** The first secret signs new cookies; all of them are accepted, which allows rotation. */
    secrets: (env.SECRET ?? generateSecret()).split(',').map((secret) => secret.trim()),
    secretGenerated: env.SECRET === undefined,
    issuer,
    session: {
      idleTimeoutSeconds: env.SESSION_IDLE_TIMEOUT,
      absoluteTimeoutSeconds: env.SESSION_ABSOLUTE_TIMEOUT,
      /** A user's sessions beyond this many end, least recently used first, as new ones start. */
      maxPerUser: env.MAX_SESSIONS_PER_USER,
    },
    /** Where sessions live: Redis when a URL is set (shared by every instance), else this process's memory. */
    sessionStore: {
      redisUrl: env.REDIS_URL,
      /** Redis Sentinel instead of REDIS_URL: the app asks the Sentinels where the primary is, and follows it. */
      sentinel:
        env.REDIS_SENTINELS && env.REDIS_SENTINEL_NAME
          ? {
              sentinels: env.REDIS_SENTINELS,
              name: env.REDIS_SENTINEL_NAME,
              /** The primary's and replicas' password (AUTH). */
              password: env.REDIS_PASSWORD,
              /** The Sentinels' own password (sentinel.conf `requirepass`), when they have one. */
              sentinelPassword: env.REDIS_SENTINEL_PASSWORD,
              /** TLS to the Sentinels, the primary and the replicas alike. */
              tls: env.REDIS_TLS,
            }
          : undefined,
      redisTimeoutMs: env.REDIS_TIMEOUT_MS,
      requireRedis: env.REQUIRE_REDIS,
      /** The in-memory store's cap (Redis has its own maxmemory): new sessions beyond it are refused. */
      maxMemorySessions: env.MAX_MEMORY_SESSIONS,
    },
    providerTimeoutMs: env.PROVIDER_TIMEOUT_MS,
    /**
     * Calling an API as the signed-in user. Without an audience the app keeps no access token (as
     * before this existed); with the embedded provider, server.ts sets its Management API.
     */
    api: {
      audience: env.AUDIENCE,
      /** SCOPE; unset, the Management API's DEFAULT_API_SCOPES (see sign-in/openid-options.ts requestedScope), none for another API. */
      scopes: env.SCOPE,
      rolesClaim: env.ROLES_CLAIM,
    },
    /** The embedded provider's access-token lifetime: short, so that refreshes are seen in development. */
    devProviderAccessTokenSeconds: env.DEV_PROVIDER_ACCESS_TOKEN_SECONDS,
    /** How long a client may take to send its headers, its whole request, and its next request on a kept-alive connection. */
    http: {
      headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS,
    },
    trustProxy: env.TRUST_PROXY,
    /** Requests a minute per client address, on /login and on /callback each. */
    signInRateLimit: env.SIGN_IN_RATE_LIMIT,
    /** Requests a minute per client address on POST /backchannel-logout. */
    backchannelLogoutRateLimit: env.BACKCHANNEL_LOGOUT_RATE_LIMIT,
    shutdown: { timeoutMs: env.SHUTDOWN_TIMEOUT_MS, delayMs: env.SHUTDOWN_DELAY_MS },
    logLevel: env.LOG_LEVEL,
    /** Readable lines for a person at a terminal in development; one JSON object per line for machines otherwise. */
    logFormat: env.LOG_FORMAT ?? (env.NODE_ENV === 'development' ? 'pretty' : 'json'),
  };
}

export type Config = ReturnType<typeof toConfig>;

/** The configuration once an issuer is known: the external one, or the embedded provider started for it. */
export type AppConfig = Omit<Config, 'issuer'> & { issuer: IssuerSettings };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Configuration is invalid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nSee .env.example for every variable.`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment and returns the app's configuration.
 * Pure: reads only `env`. Throws a ConfigError listing every problem at once: each variable is
 * parsed on its own, so one bad value does not hide the others.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  generateSecret: () => string = () => randomBytes(32).toString('hex'),
): Config {
  const problems: string[] = [];
  const invalid = new Set<string>();
  const values: Record<string, unknown> = {};
  for (const [variable, schema] of Object.entries(envSchema)) {
    const parsed = v.safeParse(schema, env[variable]);
    if (parsed.success) {
      values[variable] = parsed.output;
    } else {
      invalid.add(variable);
      problems.push(...parsed.issues.map((issue) => issue.message));
    }
  }
  // A variable that is set but invalid still counts as set, so the cross-field rules below
  // do not add misleading advice about it (such as "ISSUER_BASE_URL is not set").
  const data = {
    ...values,
    ISSUER_BASE_URL: invalid.has('ISSUER_BASE_URL') ? env.ISSUER_BASE_URL : values.ISSUER_BASE_URL,
  } as Env;
  checkCombinations(data, (variable, message) => {
    if (!invalid.has(variable)) problems.push(message);
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return toConfig(data, generateSecret);
}
