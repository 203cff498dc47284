import type { Scenario } from '../scenarios.js';
import { tokenPageScenario } from '../scenarios.js';
import { startAppStack, type AppStack } from '../stacks.js';
import type { BenchCertificate } from '../tls-certificate.js';
import { refreshOnce, SIGN_IN_TOKEN_SECONDS } from './refresh-once.js';

interface Options {
  tls: BenchCertificate;
  /** The token-page build's folder (buildTokenPageApp). */
  build: string;
  /** On this Redis, and without the sign-in token's page (that token never touches the store). */
  redisUrl?: string;
  /** Registers a started stack with the driver, which stops it even if a later step fails. */
  track: (stack: AppStack) => AppStack;
  /** Signs in once through the stack's provider, resolving to the session cookie. */
  signIn: (stack: AppStack) => Promise<string>;
}

/**
 * Instances that all sign in with an access token for an API: the token-page build (its /profile
 * asks for the token first) twice, once with the token from the sign-in and once with a token
 * refreshed since (read from its own record in the store), and the production build. Their
 * differences are what a page that needs a still-valid token costs more than /profile.
 */
export async function tokenPageStacks({
  tls,
  build,
  redisUrl,
  track,
  signIn,
}: Options): Promise<{ scenario: Scenario; stop(): Promise<void> }> {
  const where = redisUrl ? '-redis' : '';
  const env = redisUrl ? { REDIS_URL: redisUrl } : undefined;
  const signedIn = async (name: string, options: { build?: string; providerEnv?: Record<string, string> } = {}) => {
    const stack = track(await startAppStack(name, { tls, withApi: true, env, ...options }));
    return { stack, side: { app: stack.app, cookie: await signIn(stack) } };
  };
  const withToken = redisUrl ? undefined : await signedIn('app-token-page', { build });
  const refreshed = await signedIn(`app-token-page-refreshed${where}`, {
    build,
    providerEnv: { BENCH_SIGN_IN_ACCESS_TOKEN_SECONDS: String(SIGN_IN_TOKEN_SECONDS) },
  });
  const without = await signedIn(`app-with-api${where}`);
  await refreshOnce(refreshed.side.app, refreshed.side.cookie);
  const stacks = [withToken, refreshed, without].flatMap((entry) => (entry ? [entry.stack] : []));
  return {
    scenario: tokenPageScenario(
      { withToken: withToken?.side, refreshed: refreshed.side, without: without.side },
      redisUrl ? ' (Redis)' : '',
    ),
    async stop() {
      for (const stack of stacks) await stack.stop();
    },
  };
}
