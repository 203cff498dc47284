import type { Logger } from 'pino';

/** One window per kind of event: the first of each is logged in full, the rest are counted. */
export const SAMPLE_WINDOW_MS = 60_000;

export interface SampledEvent {
  event: string;
  /** With `event` and `detail`, what counts as "the same thing again". */
  reason: string;
  /** A finer kind within the reason, from a bounded set (an error code): sampled apart. */
  detail?: string;
  [field: string]: unknown;
}

export interface SampledLog {
  /**
   * Logs `fields` in full if it is the first of its event and reason in the current window;
   * otherwise only counts it. The count comes out as one line (`suppressed`: how many) when the
   * window ends, or when the next one of its kind is logged, whichever is first.
   */
  log(level: 'warn' | 'error', fields: SampledEvent, message: string): void;
}

interface Window {
  startedAt: number;
  suppressed: number;
  level: 'warn' | 'error';
  event: string;
  reason: string;
  message: string;
  timer?: NodeJS.Timeout;
}

/**
 * A log for things an outsider can repeat at will (refused requests): a flood of them becomes a
 * couple of lines a minute, not a flood of the log. Events of different kinds never hide each other.
 */
export function sampledLog(logger: Logger, windowMs = SAMPLE_WINDOW_MS): SampledLog {
  const windows = new Map<string, Window>();

  const summarise = (window: Window) => {
    clearTimeout(window.timer);
    window.timer = undefined;
    if (window.suppressed === 0) return;
    const { event, reason } = window;
    logger[window.level](
      { event, reason, suppressed: window.suppressed, windowMs },
      `${window.message}: ${window.suppressed} more in the ${windowMs / 1000} s after the one logged`,
    );
    window.suppressed = 0;
  };

  return {
    log(level, fields, message) {
      const key = `${fields.event}\u0000${fields.reason}\u0000${fields.detail ?? ''}`;
      const now = Date.now();
      const current = windows.get(key);
      if (current && now - current.startedAt < windowMs) {
        current.suppressed += 1;
        // Unref'd: a pending summary never keeps the process alive.
        current.timer ??= setTimeout(() => summarise(current), current.startedAt + windowMs - now).unref();
        return;
      }
      if (current) summarise(current);
      windows.set(key, { startedAt: now, suppressed: 0, level, event: fields.event, reason: fields.reason, message });
      logger[level](fields, message);
    },
  };
}
