import { join } from 'node:path';
import { projectRoot } from '../project-root.js';

// The embedded provider's own pages and files, read from the source tree whether this code runs
// from src/ or from the build (which copies no views or assets); the app's static root (public/)
// never serves them.
const root = projectRoot(import.meta.url);
export const viewsDir = join(root, 'src/dev-provider/views');
export const assetsDir = join(root, 'src/dev-provider/assets');
