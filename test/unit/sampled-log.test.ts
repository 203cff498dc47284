import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sampledLog } from '../../src/middleware/sampled-log.js';
import { captureLogs } from '../support/logs.js';

const WINDOW_MS = 60_000;

describe('sampledLog', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const refusal = (reason: string, n: number) => ({ event: 'test.refused', reason, n });

  it('logs the first of a kind in full and only counts the rest of its window', () => {
    const { logger, lines } = captureLogs();
    const log = sampledLog(logger, WINDOW_MS);
    for (let n = 0; n < 500; n += 1) log.log('warn', refusal('invalid_token', n), 'refused');
    expect(lines()).toEqual([
      expect.objectContaining({ level: 40, event: 'test.refused', reason: 'invalid_token', n: 0, msg: 'refused' }),
    ]);
  });

  it('says how many it left out once the window ends', () => {
    const { logger, lines } = captureLogs();
    const log = sampledLog(logger, WINDOW_MS);
    for (let n = 0; n < 500; n += 1) log.log('warn', refusal('invalid_token', n), 'refused');
    vi.advanceTimersByTime(WINDOW_MS);
    expect(lines()).toHaveLength(2);
    expect(lines()[1]).toMatchObject({
      level: 40,
      event: 'test.refused',
      reason: 'invalid_token',
      suppressed: 499,
      windowMs: WINDOW_MS,
    });
    expect(lines()[1]).not.toHaveProperty('n');
  });

  it('says how many it left out before the next one it logs, if that comes first', () => {
    const { logger, lines } = captureLogs();
    const log = sampledLog(logger, WINDOW_MS);
    log.log('error', refusal('store', 0), 'failed');
    log.log('error', refusal('store', 1), 'failed');
    log.log('error', refusal('store', 2), 'failed');
    // The clock moves without the timer having run yet (a busy event loop).
    vi.setSystemTime(Date.now() + WINDOW_MS);
    log.log('error', refusal('store', 3), 'failed');
    expect(lines().map((line) => [line.n, line.suppressed])).toEqual([
      [0, undefined],
      [undefined, 2],
      [3, undefined],
    ]);
    vi.advanceTimersByTime(WINDOW_MS * 2);
    expect(lines()).toHaveLength(3);
  });

  it('keeps kinds apart: a flood of one reason never hides another', () => {
    const { logger, lines } = captureLogs();
    const log = sampledLog(logger, WINDOW_MS);
    for (let n = 0; n < 50; n += 1) log.log('warn', refusal('too_many_requests', n), 'refused');
    log.log('warn', refusal('invalid_token', 50), 'refused');
    log.log('warn', { ...refusal('invalid_token', 51), event: 'other.event' }, 'refused');
    expect(lines().map((line) => [line.event, line.reason])).toEqual([
      ['test.refused', 'too_many_requests'],
      ['test.refused', 'invalid_token'],
      ['other.event', 'invalid_token'],
    ]);
  });

  it('writes nothing more when nothing was left out', () => {
    const { logger, lines } = captureLogs();
    const log = sampledLog(logger, WINDOW_MS);
    log.log('warn', refusal('invalid_token', 0), 'refused');
    vi.advanceTimersByTime(WINDOW_MS * 3);
    expect(lines()).toHaveLength(1);
  });
});
