import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config, type IssuerSettings } from '../config.js';
import { createLogger } from '../logger.js';
import { failed, type CheckResult } from './checklist.js';
import { checkApiAccess } from './api-access-check.js';
import { checkClientCredentials } from './credentials-check.js';
import { checkClock, checkDiscovery } from './discovery-checks.js';
import { checkCallbackUrl, checkLogoutUrl } from './redirect-checks.js';
import { checkRefreshTokens, checkRevocation } from './token-support-checks.js';
import { checkSentinel } from './sentinel-check.js';

export interface DoctorReport {
  heading: string[];
  results: CheckResult[];
  exitCode: 0 | 1;
}

const API_CHECKS = ['API access', 'Refresh tokens', 'Token revocation'];
const PROVIDER_CHECKS = [
  'Discovery',
  'Issuer',
  'Client credentials',
  'Callback URL',
  'Logout URL',
  ...API_CHECKS,
  'Clock',
];

function skipped(titles: string[], why: string): CheckResult[] {
  return titles.map((title) => ({ title, status: 'skip', detail: why }));
}

/** Only reached once loadConfig accepted the variables: an unsafe one (plain http in production) is a failure there, not a warning here. */
function configurationCheck(config: Config): CheckResult {
  return {
    title: 'Configuration',
    status: 'pass',
    detail: `every variable is valid (NODE_ENV=${config.nodeEnv}, BASE_URL=${config.baseURL})`,
  };
}

/** Every provider check, in order; all but the clock need the discovery document. */
async function checkProvider(issuer: IssuerSettings, config: Config, api: Config['api']): Promise<CheckResult[]> {
  const timeoutMs = config.providerTimeoutMs;
  const { results, endpoints, answer } = await checkDiscovery(issuer.issuerBaseURL, timeoutMs);
  const clock = answer
    ? checkClock(answer)
    : { title: 'Clock', status: 'skip' as const, detail: 'needs an answer from the provider' };
  if (!endpoints) {
    const after = PROVIDER_CHECKS.slice(PROVIDER_CHECKS.indexOf('Discovery') + 1, -1).filter(
      (title) => !results.some((result) => result.title === title),
    );
    return [...results, ...skipped(after, 'needs the discovery document'), clock];
  }
  const redirectUri = `${config.baseURL}/callback`;
  const credentials = await checkClientCredentials(
    {
      tokenEndpoint: endpoints.token_endpoint,
      clientID: issuer.clientID,
      clientSecret: issuer.clientSecret,
      redirectUri,
    },
    timeoutMs,
  );
  const callback = await checkCallbackUrl(endpoints, issuer.clientID, config.baseURL, timeoutMs);
  const logout = await checkLogoutUrl(endpoints, issuer.clientID, config.baseURL, timeoutMs);
  const { audience } = api;
  let apiResults: CheckResult[];
  if (audience === undefined) {
    apiResults = skipped(API_CHECKS, 'no AUDIENCE: the app calls no API, so it asks for no access or refresh token');
  } else {
    // A provider sends its refusal of an API to the callback, so it can only answer once that is accepted.
    const access =
      callback.status === 'pass'
        ? await checkApiAccess(
            endpoints,
            issuer.clientID,
            { baseURL: config.baseURL, api: { ...api, audience } },
            timeoutMs,
          )
        : { title: 'API access', status: 'skip' as const, detail: 'needs an accepted callback URL' };
    apiResults = [access, checkRefreshTokens(endpoints), checkRevocation(endpoints)];
  }
  return [...results, credentials, callback, logout, ...apiResults, clock];
}

/**
 * Checks a configuration before deploying it: the variables, then (with ISSUER_BASE_URL) the real
 * provider as the app will use it. Without ISSUER_BASE_URL there is nothing external to check, so
 * it starts the embedded development provider exactly as `npm start` would and checks against it:
 * a self-test of the zero-configuration setup. Never prints secrets.
 */
export async function runDoctor(
  env: Record<string, string | undefined>,
  logger: Logger = createLogger({ level: 'silent' }),
): Promise<DoctorReport> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const results: CheckResult[] = [
      ...error.problems.map((problem): CheckResult => ({ title: 'Configuration', status: 'fail', detail: problem })),
      ...skipped(PROVIDER_CHECKS, 'needs a valid configuration'),
    ];
    return { heading: ['Checking the configuration (see .env.example for every variable)'], results, exitCode: 1 };
  }

  const devProvider = config.issuer
    ? undefined
    : await import('../dev-provider/dev-provider.js').then(({ startDevProvider }) =>
        startDevProvider({
          appBaseURL: config.baseURL,
          nodeEnv: config.nodeEnv,
          logger,
          accessTokenTtlSeconds: config.devProviderAccessTokenSeconds,
          rolesClaim: config.api.rolesClaim,
        }),
      );
  try {
    const issuer = config.issuer ?? devProvider?.issuer;
    if (!issuer) throw new Error('unreachable: no issuer and no development provider');
    const heading = [
      `Checking the app at ${config.baseURL} against the provider ${issuer.issuerBaseURL} (client id ${issuer.clientID})`,
      ...(devProvider
        ? ['No ISSUER_BASE_URL: this is a self-test against the embedded development provider, as npm start runs it.']
        : []),
    ];
    // As server.ts does: the embedded provider stands in for the whole tenant, its Management API included.
    const api = { ...config.api, audience: config.api.audience ?? devProvider?.managementAudience };
    const { sentinel, redisTimeoutMs } = config.sessionStore;
    const results = [
      configurationCheck(config),
      ...(await checkProvider(issuer, config, api)),
      ...(sentinel ? [await checkSentinel(sentinel, Math.max(redisTimeoutMs, 1000))] : []),
    ];
    return { heading, results, exitCode: failed(results).length === 0 ? 0 : 1 };
  } finally {
    await devProvider?.close();
  }
}
