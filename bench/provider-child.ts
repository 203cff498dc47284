/**
 * The benchmark's OpenID Provider, in its own process: the embedded development provider (a real
 * oidc-provider) on loopback. It runs as test infrastructure (nodeEnv 'test'); the app under test
 * runs with NODE_ENV=production and reaches it as an external issuer, so the production refusal
 * of the embedded provider is never weakened. Sends its issuer settings to the parent over IPC.
 */
import { startDevProvider } from '../src/dev-provider/dev-provider.js';
import { createLogger } from '../src/logger.js';

const appBaseURL = process.env.APP_BASE_URL;
if (!appBaseURL) throw new Error('APP_BASE_URL is required');

const provider = await startDevProvider({ appBaseURL, nodeEnv: 'test', logger: createLogger({ level: 'warn' }) });
process.send?.({ issuer: provider.issuer, origin: provider.origin });
process.on('SIGTERM', () => {
  void provider.close().then(() => process.exit(0));
});
