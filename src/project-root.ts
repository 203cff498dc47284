import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders between a module and the project's root: two from src/dev-provider/, three from a test build's chunks. */
const MAX_DEPTH = 4;

/**
 * The project's root (the folder holding package.json and views/), found from the URL of the
 * module asking. Pages and assets are read from there: the same code runs from src/ under tsx and
 * bundled into dist/ and dist/chunks/ (scripts/build.ts), at other depths. A package.json alone
 * is not enough: a deployment may put one in dist/ (`{"type": "module"}`).
 */
export function projectRoot(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (let depth = 0; depth < MAX_DEPTH; depth += 1) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'views'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(
    `no folder with package.json and views/ within ${MAX_DEPTH} folders above ${fileURLToPath(moduleUrl)}`,
  );
}
