import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config, type IssuerSettings } from '../config.js';
import { createLogger } from '../logger.js';
import { failed, type CheckResult } from './checklist.js';
import { checkClientCredentials } from './credentials-check.js';
import { checkClock, checkDiscovery } from './discovery-checks.js';
import { checkCallbackUrl, checkLogoutUrl } from './redirect-checks.js';

export interface DoctorReport {
  heading: string[];
  results: CheckResult[];
  exitCode: 0 | 1;
}

const PROVIDER_CHECKS = ['Discovery', 'Issuer', 'Client credentials', 'Callback URL', 'Logout URL', 'Clock'];

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
async function checkProvider(issuer: IssuerSettings, config: Config): Promise<CheckResult[]> {
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
  return [
    ...results,
    await checkClientCredentials(
      {
        tokenEndpoint: endpoints.token_endpoint,
        clientID: issuer.clientID,
        clientSecret: issuer.clientSecret,
        redirectUri,
      },
      timeoutMs,
    ),
    await checkCallbackUrl(endpoints, issuer.clientID, config.baseURL, timeoutMs),
    await checkLogoutUrl(endpoints, issuer.clientID, config.baseURL, timeoutMs),
    clock,
  ];
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
        startDevProvider({ appBaseURL: config.baseURL, nodeEnv: config.nodeEnv, logger }),
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
    const results = [configurationCheck(config), ...(await checkProvider(issuer, config))];
    return { heading, results, exitCode: failed(results).length === 0 ? 0 : 1 };
  } finally {
    await devProvider?.close();
  }
}
