import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { buildApp } from '../../scripts/build.js';
import { resultsDir, root } from '../children.js';

const here = dirname(fileURLToPath(import.meta.url));
const substitute = resolve(here, 'profile.ts');
const routeMap = join('src', 'routes', 'index.ts');

/** The production build with /profile asking for the access token first (profile.ts here). */
const tokenPage: Plugin = {
  name: 'token-page',
  setup(build) {
    build.onResolve({ filter: /^\.\/profile\.js$/ }, (args) =>
      args.importer.endsWith(routeMap) ? { path: substitute } : undefined,
    );
  },
};

/**
 * Builds the app as `npm run build` does, with one page changed, into bench/results/token-page-app
 * (its `server.js` is what startAppStack's `build` runs). Fails if the substitution did not happen:
 * the benchmark would otherwise compare /profile with itself and report a cost of zero.
 */
export async function buildTokenPageApp(): Promise<string> {
  const outdir = `${resultsDir}/token-page-app`;
  const metafile = await buildApp(outdir, { plugins: [tokenPage] });
  if (!Object.keys(metafile.inputs).some((input) => resolve(root, input) === substitute))
    throw new Error(
      `the token-page build did not use ${substitute}: did src/routes/index.ts stop importing ./profile.js?`,
    );
  return outdir;
}
