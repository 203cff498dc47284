import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders between a module and the project's root: two from src/dev-provider/, three from a test build's chunks. */
const MAX_DEPTH = 4;

/**
 * The project's root (the folder with package.json), found from the URL of the module asking.
 * Pages and assets are read from there: the same code runs from src/ under tsx and bundled into
 * dist/ and dist/chunks/ (scripts/build.ts), at other depths.
 */
export function projectRoot(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let depth = 0; depth < MAX_DEPTH; depth += 1) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(`no package.json within ${MAX_DEPTH} folders above ${fileURLToPath(moduleUrl)}`);
}
