import { fileURLToPath } from 'node:url';
import { staticAssets } from '../../src/middleware/static-assets.js';

/** The path the app serves the stylesheet at (it carries a hash of the public folder). */
export function stylesheetPath(): string {
  return staticAssets(fileURLToPath(new URL('../../public', import.meta.url))).url('styles.css');
}
