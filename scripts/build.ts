/**
 * `npm run build`: the production build in dist/, as `node dist/server.js` runs it. esbuild bundles
 * src/ with the libraries it uses into a few files: the process then holds one compacted source
 * per file instead of ~400 modules, each with its source text, its loader records and the unused
 * parts of every library (docs/performance.md says what that bought and what it costs). esbuild
 * checks no types: `npm run build` type-checks src/ (tsconfig.build.json) before running this.
 *
 *   tsx scripts/build.ts [outdir]     (default dist; anything but dist must sit under this folder)
 */
import { rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Programs people run from the build: the app, the configuration doctor, the log id lookup. */
const ENTRY_POINTS = ['src/server.ts', 'src/doctor/cli.ts', 'src/process/user-log-id.ts'];

/**
 * Left out of the bundle, loaded from node_modules when needed:
 * - oidc-provider, pino-pretty: development only (the embedded provider, readable logs);
 * - pino: its transports (pino-pretty's) run its own files in a worker thread;
 * - iconv-lite, mime-db: character set and media type tables, loaded lazily or as JSON; bundled,
 *   their whole text would also stay in memory as JavaScript source.
 */
const EXTERNAL = ['oidc-provider', 'pino', 'pino-pretty', 'iconv-lite', 'mime-db'];

/**
 * Builds into `outdir` (emptied first); the metafile says which source went into which output file.
 * `plugins` are for variants of the app that only the benchmark builds (bench/token-page/build.ts).
 */
export async function buildApp(
  outdir = resolve(root, 'dist'),
  { plugins = [] }: { plugins?: Plugin[] } = {},
): Promise<Metafile> {
  if (relative(root, outdir).startsWith('..')) throw new Error(`the build goes under ${root}, not ${outdir}`);
  rmSync(outdir, { recursive: true, force: true });
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS,
    outbase: 'src',
    outdir,
    entryNames: '[dir]/[name]',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    // Chunks of their own: the development provider, imported only when no issuer is configured,
    // and node-redis, imported only when sessions live in Redis.
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    external: EXTERNAL,
    // Bundled CommonJS libraries call require(): give them one in ES module output.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    // Identifiers are kept, so a logged stack still names its functions; the map (read only with
    // node --enable-source-maps) gives their place in src/.
    minifyWhitespace: true,
    minifySyntax: true,
    // ASCII source is stored in one byte per character; a single other character doubles it.
    charset: 'ascii',
    legalComments: 'linked',
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    metafile: true,
    plugins,
  });
  return metafile;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  await buildApp(process.argv[2] ? resolve(process.argv[2]) : undefined);
