import type { ProviderMiddleware } from '../../src/dev-provider/dev-provider.js';

/**
 * Provider middleware that keeps what passes through the token endpoint: the tokens it hands out
 * (ID, access, refresh) and the authorization codes and PKCE verifiers it is given, so tests can
 * look for them where they must never appear.
 */
export function recordTokens(): { middleware: ProviderMiddleware; tokens: () => string[]; codes: () => string[] } {
  const tokens = new Set<string>();
  const codes = new Set<string>();
  const keep = (into: Set<string>, source: Record<string, unknown> | undefined, names: string[]) => {
    for (const name of names) {
      const value = source?.[name];
      if (typeof value === 'string') into.add(value);
    }
  };
  return {
    tokens: () => [...tokens],
    codes: () => [...codes],
    middleware: async (ctx, next) => {
      await next();
      if (ctx.oidc?.route !== 'token') return;
      keep(codes, ctx.oidc.params, ['code', 'code_verifier']);
      if (ctx.status === 200)
        keep(tokens, ctx.body as Record<string, unknown> | undefined, ['id_token', 'access_token', 'refresh_token']);
    },
  };
}
