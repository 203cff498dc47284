/**
 * Preloaded (node --import) into the real server process by test/integration/crash.test.ts: on
 * SIGUSR2 it fails the way a bug in a background task would, outside any request. Nothing in
 * src/ knows about it.
 */
process.on('SIGUSR2', () => {
  if (process.env.CRASH_WITH === 'exception') {
    setTimeout(() => {
      throw new Error('boom: thrown from a timer');
    }, 0);
  } else {
    void Promise.reject(new Error('boom: rejected and never handled'));
  }
});
