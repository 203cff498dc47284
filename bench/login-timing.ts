import { BenchBrowser } from './browser.js';
import type { Child } from './children.js';
import { signIn } from './logins.js';
import type { LoginFigures } from './report.js';

const TIMED_LOGINS_MAX_MS = 180_000;

export interface LoginSplit {
  totalMs: number;
  /** Time in the app's request handlers, minus the time they waited for the provider. */
  appMs: number;
  /** Time the browser waited for provider pages, plus the time the app waited for the provider. */
  providerMs: number;
}

/** One full login with a fresh browser (login form included), split between the app and the provider. */
export async function timedLogin(app: Child): Promise<LoginSplit> {
  await app.readTiming();
  const trace = await signIn(new BenchBrowser(), app.origin);
  const inApp = await app.readTiming();
  const browserWaitedForProvider = trace.hops
    .filter((entry) => entry.side === 'provider')
    .reduce((sum, entry) => sum + entry.hop.ms, 0);
  return {
    totalMs: trace.totalMs,
    appMs: inApp.serverMs - inApp.outboundMs,
    providerMs: browserWaitedForProvider + inApp.outboundMs,
  };
}

/** `count` sequential timed logins (at most TIMED_LOGINS_MAX_MS in all). */
export async function timedLogins(app: Child, count: number): Promise<LoginFigures> {
  await app.startTiming();
  const figures: LoginFigures = { count: 0, totalMs: [], appMs: [], providerMs: [] };
  const deadline = Date.now() + TIMED_LOGINS_MAX_MS;
  while (figures.count < count && Date.now() < deadline) {
    const split = await timedLogin(app);
    figures.count += 1;
    figures.totalMs.push(split.totalMs);
    figures.appMs.push(split.appMs);
    figures.providerMs.push(split.providerMs);
  }
  return figures;
}
