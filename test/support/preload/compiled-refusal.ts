import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const sources = ['refuse-dev-provider.ts', 'refuse-dev-provider-hooks.ts'].map((file) =>
  fileURLToPath(new URL(file, import.meta.url)),
);

/**
 * refuse-dev-provider.ts and its hooks compiled to JavaScript in `outdir`, so that a built server
 * can be run with them on plain node, as production runs it, instead of under tsx's loader.
 * Returns the URL to preload.
 */
export async function compiledRefusal(outdir: string): Promise<string> {
  await build({ entryPoints: sources, outdir, format: 'esm', platform: 'node', logLevel: 'error' });
  return pathToFileURL(`${outdir}/refuse-dev-provider.js`).href;
}
