import { writeSync } from 'node:fs';
import { createLogger } from '../../src/logger.js';

/**
 * Run as its own process by test/integration/log-delivery.test.ts: the app's logger as server.ts
 * makes it (JSON on stdout), each line followed by a raw write to stdout, then two lines and
 * process.exit at once, the way the shutdown and the crash guard end the process.
 */
const logger = createLogger({ level: 'info' });
for (let line = 0; line < 5; line++) {
  logger.info({ event: 'line', line }, 'a line');
  writeSync(1, `written after line ${line}\n`);
  await new Promise((resolve) => setImmediate(resolve));
}
logger.error({ event: 'second to last' }, 'about to exit');
logger.fatal({ event: 'last' }, 'last words');
process.exit(1);
