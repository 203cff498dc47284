import { fileURLToPath } from 'node:url';

// From the project root, so that the same path holds for this file under src/ and compiled under dist/
// (the compiler copies no views or assets): the embedded provider's own pages and files, which the
// app's static root (public/) never serves.
export const viewsDir = fileURLToPath(new URL('../../src/dev-provider/views', import.meta.url));
export const assetsDir = fileURLToPath(new URL('../../src/dev-provider/assets', import.meta.url));
