import { interactionPolicy } from 'oidc-provider';
import type Koa from 'koa';

/**
 * oidc-provider's interaction policy with consent implied even when a request says `prompt=consent`:
 * this tenant's only application is first-party, and Auth0 skips consent for those.
 */
export function impliedConsentPolicy(): interactionPolicy.Prompt[] {
  const policy = interactionPolicy.base();
  policy.get('consent')?.checks.remove('consent_prompt');
  return policy;
}

/**
 * oidc-provider drops `offline_access` (so issues no refresh token) unless the authorization request
 * also says `prompt=consent`, as OpenID Connect Core §11 asks; Auth0 issues one for `offline_access`
 * alone. This adds `consent` to such requests' prompt, which {@link impliedConsentPolicy} then lets
 * through without a consent screen. `prompt=none` is left alone (the two may not be combined).
 */
export async function offlineAccessWithoutConsentPrompt(ctx: Koa.Context, next: Koa.Next): Promise<void> {
  const { scope, prompt = '' } = ctx.query;
  if (ctx.method === 'GET' && ctx.path === '/authorize' && typeof scope === 'string' && typeof prompt === 'string') {
    const prompts = new Set(prompt.split(' ').filter(Boolean));
    if (scope.split(' ').includes('offline_access') && !prompts.has('none') && !prompts.has('consent')) {
      prompts.add('consent');
      ctx.query = { ...ctx.query, prompt: [...prompts].join(' ') };
    }
  }
  await next();
}
