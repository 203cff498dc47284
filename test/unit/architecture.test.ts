import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Every .ts file under a folder of the project, as paths from the project root. */
function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file));
}

/** The project files a file imports (static, dynamic and type-only), as paths from the project root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) => match[1] ?? '');
  return specifiers.map((specifier) => normalize(join(dirname(file), specifier)).replace(/\.js$/, '.ts'));
}

/**
 * Where a file sits in the architecture, top to bottom. A file may import its own layer's files
 * and the layers below it, never above; `server` and the command-line tools sit on top of
 * everything.
 */
const LAYERS: [layer: string, matches: (file: string) => boolean][] = [
  [
    'entry points',
    (file) =>
      file === 'src/server.ts' ||
      file.startsWith('src/doctor/') ||
      file === 'src/process/user-log-id.ts' ||
      file.startsWith('src/@types/'),
  ],
  ['app', (file) => file === 'src/app.ts'],
  ['routes and middleware', (file) => file.startsWith('src/routes/') || file.startsWith('src/middleware/')],
  ['sign-in', (file) => file.startsWith('src/sign-in/')],
  ['sessions', (file) => file.startsWith('src/sessions/')],
  ['process, development provider', (file) => file.startsWith('src/process/') || file.startsWith('src/dev-provider/')],
  ['foundations', () => true],
];
const layerOf = (file: string) => LAYERS.findIndex(([, matches]) => matches(file));

describe('the architecture of src/', () => {
  const files = sources('src');
  const graph = new Map(files.map((file) => [file, importsOf(file).filter((target) => target.startsWith('src/'))]));

  it('imports only downwards: routes and middleware, then sign-in, then sessions, then config, errors and logs', () => {
    const upwards = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => layerOf(target) < layerOf(file))
        .map(
          (target) =>
            `${file} (${LAYERS[layerOf(file)]?.[0] ?? '?'}) imports ${target} (${LAYERS[layerOf(target)]?.[0] ?? '?'})`,
        ),
    );
    expect(upwards).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const visiting: string[] = [];
    const done = new Set<string>();
    const visit = (file: string) => {
      if (done.has(file)) return;
      const at = visiting.indexOf(file);
      if (at >= 0) {
        cycles.push([...visiting.slice(at), file].join(' -> '));
        return;
      }
      visiting.push(file);
      for (const target of graph.get(file) ?? []) visit(target);
      visiting.pop();
      done.add(file);
    };
    for (const file of graph.keys()) visit(file);
    expect(cycles).toEqual([]);
  });

  it('reaches sessions only through its front door, src/sessions/index.ts', () => {
    const around = [...graph].flatMap(([file, targets]) =>
      file.startsWith('src/sessions/')
        ? []
        : targets
            .filter((target) => target.startsWith('src/sessions/') && target !== 'src/sessions/index.ts')
            .map((target) => `${file} imports ${target}`),
    );
    expect(around).toEqual([]);
  });

  it('loads the development provider only from the entry points', () => {
    const loaders = [...graph]
      .filter(
        ([file, targets]) =>
          !file.startsWith('src/dev-provider/') && targets.some((target) => target.startsWith('src/dev-provider/')),
      )
      .map(([file]) => file);
    expect(loaders.every((file) => layerOf(file) === 0)).toBe(true);
  });

  it('loads node-redis only when a Redis store is made (about 3 MiB of heap an in-memory app never uses)', () => {
    const eager = files.filter(
      (file) =>
        !file.startsWith('src/doctor/') &&
        /^import [^t][^;]*from '(?:redis|@redis\/client)';/m.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(eager).toEqual([]);
  });

  it('keeps unit tests to pure functions: no sockets, servers or processes', () => {
    const opening =
      /from '(?:supertest|node:child_process)'|support\/(?:test-stack|redis-server|server-process|raw-http|raw-request|browser|chromium)\.js'|\.listen\(/;
    const offenders = sources('test/unit').filter((file) => opening.test(readFileSync(join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('keeps bench/ independent of test/', () => {
    const fromBench = sources('bench').flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith('test/'))
        .map((target) => `${relative(root, join(root, file))} imports ${target}`),
    );
    expect(fromBench).toEqual([]);
  });
});
