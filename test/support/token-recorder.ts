import type { ProviderMiddleware } from '../../src/auth/dev-provider.js';

/**
 * Provider middleware that keeps every token the provider hands out (ID, access and refresh
 * tokens from the token endpoint), so tests can look for them where they must never appear.
 */
export function recordTokens(): { middleware: ProviderMiddleware; tokens: () => string[] } {
  const tokens = new Set<string>();
  return {
    tokens: () => [...tokens],
    middleware: async (ctx, next) => {
      await next();
      if (ctx.oidc?.route !== 'token' || ctx.status !== 200) return;
      const body = ctx.body as Record<string, unknown> | undefined;
      for (const name of ['id_token', 'access_token', 'refresh_token']) {
        const token = body?.[name];
        if (typeof token === 'string') tokens.add(token);
      }
    },
  };
}
