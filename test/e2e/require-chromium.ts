import { existsSync } from 'node:fs';
import { CHROMIUM_PATH } from '../support/chromium.js';

// Runs before the e2e suite so a missing browser fails loudly in one line instead of skipping.
if (!existsSync(CHROMIUM_PATH)) {
  console.error(`The e2e tests need Chromium at ${CHROMIUM_PATH}: install it with apt-get install -y chromium`);
  process.exit(1);
}
