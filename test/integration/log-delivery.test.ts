import { describe, expect, it } from 'vitest';
import { startServerProcess } from '../support/server-process.js';
import { withinTime } from '../support/wait.js';

describe('log lines on stdout (a real process)', () => {
  it('are written, in order, before the logging call returns, so the last ones before exit are never lost', async () => {
    const child = startServerProcess({}, { entry: 'test/support/log-then-exit.ts' });
    expect(await withinTime(child.exited, 10_000, 'the process to exit')).toBe(1);
    const lines = child
      .output()
      .trim()
      .split('\n')
      .map((line) => (line.startsWith('{') ? (JSON.parse(line) as { event: string }).event : line));
    expect(lines).toEqual([
      ...[0, 1, 2, 3, 4].flatMap((line) => ['line', `written after line ${line}`]),
      'second to last',
      'last',
    ]);
  });
});
