/**
 * The benchmark's OpenID Provider, in its own process, on https: a real oidc-provider set up as
 * the embedded development provider sets it up (its configuration, consent policy, login page and
 * demo users), served with the self-signed certificate the driver made (BENCH_TLS_KEY and
 * BENCH_TLS_CERT), so the app reaches it as deployed, over TLS, trusting it through
 * NODE_EXTRA_CA_CERTS. startDevProvider itself serves plain http only, hence this assembly of its
 * parts; its Management API and the host check are left out (the benchmark's apps call no API and
 * are reached only on 127.0.0.1), its /userinfo for API access tokens is kept (an app with AUDIENCE
 * set, the token page's, fetches the profile with one). It runs as test infrastructure; the app under test runs with
 * NODE_ENV=production and sees an ordinary external issuer. Sends its issuer settings to the parent.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Provider from 'oidc-provider';
import { generateSigningKey } from '../src/dev-provider/dev-provider.js';
import { assetsDir, viewsDir } from '../src/dev-provider/files.js';
import { apiTokenVerifier } from '../src/dev-provider/api-tokens.js';
import { devInteractions } from '../src/dev-provider/login-interactions.js';
import { offlineAccessWithoutConsentPrompt } from '../src/dev-provider/offline-access.js';
import { devProviderConfiguration } from '../src/dev-provider/provider-configuration.js';
import { userinfoForApiTokens } from '../src/dev-provider/userinfo-for-api-tokens.js';
import { DEFAULT_ROLES_CLAIM } from '../src/config.js';
import { createLogger } from '../src/logger.js';

const { APP_BASE_URL: appBaseURL, BENCH_TLS_KEY: key, BENCH_TLS_CERT: cert } = process.env;
if (!appBaseURL || !key || !cert) throw new Error('APP_BASE_URL, BENCH_TLS_KEY and BENCH_TLS_CERT are required');

const logger = createLogger({ level: 'warn' });
const server = createServer({ key, cert });
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => resolve());
});
const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
const issuer = `${origin}/`;
const client = { clientID: 'bench-client', clientSecret: randomBytes(32).toString('hex'), appBaseURL };
const signingKey = await generateSigningKey();
const configuration = devProviderConfiguration({
  issuer,
  client,
  signingKey,
  // Longer than any run: the token page (bench/token-page/) never needs a refresh mid-run.
  accessTokenTtlSeconds: 24 * 60 * 60,
  rolesClaim: DEFAULT_ROLES_CLAIM,
});
signInTokensExpireSoon(Number(process.env.BENCH_SIGN_IN_ACCESS_TOKEN_SECONDS ?? 0));
const provider = new Provider(issuer, configuration);
provider.use(offlineAccessWithoutConsentPrompt);
provider.on('server_error', (_ctx, error) => logger.error({ err: error }, 'bench provider error'));

const app = express();
app.disable('x-powered-by');
app.set('views', viewsDir);
app.set('view engine', 'ejs');
app.use('/assets', express.static(assetsDir, { index: false, redirect: false }));
app.use(
  userinfoForApiTokens({ issuer, rolesClaim: DEFAULT_ROLES_CLAIM, verify: apiTokenVerifier(issuer, signingKey) }),
);
app.use(devInteractions(provider, logger));
app.use(provider.callback());
server.on('request', app);

/**
 * With BENCH_SIGN_IN_ACCESS_TOKEN_SECONDS, access tokens got at sign-in live that long and those
 * got by a refresh a day: an app's first request after the short one expired refreshes once, and
 * its page then reads the refreshed token from the session's token record on every request.
 */
function signInTokensExpireSoon(seconds: number): void {
  const indicators = configuration.features?.resourceIndicators;
  const serverInfo = indicators?.getResourceServerInfo;
  if (!(seconds > 0) || !indicators || !serverInfo) return;
  indicators.getResourceServerInfo = async (ctx, resource, forClient) => {
    const info = await serverInfo(ctx, resource, forClient);
    const { grant_type: grantType } = ctx.oidc.params as { grant_type?: unknown };
    return grantType === 'refresh_token' ? info : { ...info, accessTokenTTL: seconds };
  };
}

process.send?.({
  issuer: { issuerBaseURL: issuer, clientID: client.clientID, clientSecret: client.clientSecret },
  origin,
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
