import type { ResolveHook } from 'node:module';

/** In the output of a process that tried to load a refused module (see refuse-dev-provider.ts). */
export const REFUSED_MODULE = 'refused by test/support/preload/refuse-dev-provider';

// Its sources, or its chunks in a build (scripts/build.ts names a dynamically imported chunk after its module).
const REFUSED = [/\/node_modules\/oidc-provider\//, /\/src\/dev-provider\//, /\/chunks\/(?:dev-provider|demo-users)-/];

/** Module resolution hook (node:module register): runs ahead of tsx's, judges where it resolved. */
export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  if (REFUSED.some((pattern) => pattern.test(resolved.url))) {
    throw new Error(
      `${specifier} (imported by ${context.parentURL ?? 'the entry point'}) was ${REFUSED_MODULE}: this process must not load the embedded development provider`,
    );
  }
  return resolved;
};
