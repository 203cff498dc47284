import type { LoadResult } from './load.js';
import type { CurvePoint, MemoryFigures } from './memory.js';
import type { MemoryReading } from './probe-protocol.js';
import { TOKEN_PAGE, type ScenarioRounds } from './scenarios.js';
import type { SeedFigures } from './seed-sessions.js';
import { median, percentile } from './stats.js';

export interface LoginFigures {
  count: number;
  totalMs: number[];
  appMs: number[];
  providerMs: number[];
}

/** Heap and RSS of a freshly started server after one sign-in and a few pages, and of the baseline. */
export interface AtRest {
  store: 'memory' | 'Redis';
  app: MemoryReading;
  baseline: MemoryReading;
}

export interface BenchResults {
  date: string;
  machine: { cpus: number; model: string; node: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  settings: { connections: number; rounds: number; loadSeconds: number; measureExpiry: boolean };
  quick: boolean;
  pageBytes: { path: string; app: number; baseline: number }[];
  load: ScenarioRounds[];
  logins: LoginFigures;
  atRest: AtRest[];
  memory: MemoryFigures;
  redisMemory?: MemoryFigures;
  redisSkipped?: string;
  seeded?: SeedFigures;
  seedSkipped?: string;
}

interface Row {
  figure: string;
  app: string;
  baseline: string;
  ratio: string;
  target: string;
  met: string;
}

/** The targets of issue 12, in one place. */
export const TARGETS = {
  anonymousRatio: 0.75,
  profileRatio: 0.65,
  p99Ratio: 2,
  /** `/profile` with 100,000 live sessions against 1, same rounds. */
  flatRatio: 0.9,
  loginAppShareMs: 6,
  idleHeapMiB: 12,
  idleRssRatio: 1.3,
  /** Redis: the app's RSS during the logins stays within idle + this. */
  loginRssHeadroomMiB: 64,
  /** Redis: "back near idle" once the sessions expired means within idle + this. */
  nearIdleMiB: 16,
  /** In memory: RSS growth at most this many times the live sessions' heap. */
  rssPerSessionHeap: 2,
  /** A page that needs a still-valid access token: CPU per request at most this times /profile's. */
  tokenPageCost: 1.05,
} as const;

const MiB = 1024 * 1024;
const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const whole = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en') : 'n/a');
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '');
const mib = (bytes: number) => fixed(bytes / MiB);
const verdict = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'yes' : 'MISSED');
const row = (figure: string, fields: Partial<Omit<Row, 'figure'>> = {}): Row => ({
  figure,
  app: '',
  baseline: '',
  ratio: '',
  target: '',
  met: '',
  ...fields,
});

type Key = 'rps' | 'p50' | 'p99' | 'cpuMicrosPerRequest';
const pick = (results: LoadResult[], key: Key) => median(results.map((result) => result[key]));
const failures = (results: LoadResult[]) =>
  results.reduce((sum, result) => sum + result.non2xx + result.errors + result.timeouts, 0);

function loadRows(scenario: ScenarioRounds): Row[] {
  const baseline = scenario.sides.find((side) => side.label === 'baseline')?.results ?? [];
  const minRatio = scenario.kind === 'anonymous' ? TARGETS.anonymousRatio : TARGETS.profileRatio;
  const rows: Row[] = [];
  for (const side of scenario.sides) {
    if (side.label === 'baseline') continue;
    const app = side.results;
    const rps = { app: pick(app, 'rps'), baseline: pick(baseline, 'rps') };
    const p50 = { app: pick(app, 'p50'), baseline: pick(baseline, 'p50') };
    const p99 = { app: pick(app, 'p99'), baseline: pick(baseline, 'p99') };
    const cpu = { app: pick(app, 'cpuMicrosPerRequest'), baseline: pick(baseline, 'cpuMicrosPerRequest') };
    rows.push(
      row(`${side.label}: req/s`, {
        app: whole(rps.app),
        baseline: whole(rps.baseline),
        ratio: times(rps.app / rps.baseline),
        target: `>= ${minRatio}x`,
        met: verdict(rps.app / rps.baseline >= minRatio),
      }),
      row('  p50 latency ms', {
        app: fixed(p50.app),
        baseline: fixed(p50.baseline),
        ratio: times(p50.app / p50.baseline),
      }),
      row('  p99 latency ms', {
        app: fixed(p99.app),
        baseline: fixed(p99.baseline),
        ratio: times(p99.app / p99.baseline),
        target: `<= ${TARGETS.p99Ratio}x`,
        met: verdict(p99.app / p99.baseline <= TARGETS.p99Ratio),
      }),
      row('  server CPU per request µs', {
        app: whole(cpu.app),
        baseline: whole(cpu.baseline),
        ratio: times(cpu.app / cpu.baseline),
      }),
      row('  non-2xx + errors + timeouts', {
        app: String(failures(app)),
        baseline: String(failures(baseline)),
        target: '0',
        met: verdict(failures(app) + failures(baseline) === 0),
      }),
    );
  }
  const { flatness } = scenario;
  if (flatness) {
    const rpsOf = (label: string) => pick(scenario.sides.find((side) => side.label === label)?.results ?? [], 'rps');
    const ratio = rpsOf(flatness.many) / rpsOf(flatness.one);
    rows.push(
      row(`  req/s among many ÷ with 1 session (same rounds)`, {
        app: whole(rpsOf(flatness.many)),
        baseline: `${whole(rpsOf(flatness.one))} (1)`,
        ratio: times(ratio),
        target: `>= ${TARGETS.flatRatio}x`,
        met: verdict(ratio >= TARGETS.flatRatio),
      }),
    );
  }
  return rows;
}

function loginRows(logins: LoginFigures): Row[] {
  const appMedian = median(logins.appMs);
  return [
    row(`Login round trip, provider on https (${logins.count} sequential): median ms`, {
      app: fixed(median(logins.totalMs)),
    }),
    row('  p95 ms', { app: fixed(percentile(logins.totalMs, 95)) }),
    row("  app's share, median ms", {
      app: fixed(appMedian),
      target: `<= ${TARGETS.loginAppShareMs} ms`,
      met: verdict(appMedian <= TARGETS.loginAppShareMs),
    }),
    row("  app's share, p95 ms", { app: fixed(percentile(logins.appMs, 95)) }),
    row("  provider's share, median ms", { app: fixed(median(logins.providerMs)) }),
  ];
}

function atRestRows({ store, app, baseline }: AtRest): Row[] {
  return [
    row(`At rest, ${store === 'memory' ? 'in-memory' : store} store, one sign-in: heap after GC MiB`, {
      app: mib(app.heapUsed),
      baseline: mib(baseline.heapUsed),
      ratio: times(app.heapUsed / baseline.heapUsed),
      target: `<= ${TARGETS.idleHeapMiB} MiB`,
      met: verdict(app.heapUsed <= TARGETS.idleHeapMiB * MiB),
    }),
    row('  RSS MiB', {
      app: mib(app.rss),
      baseline: mib(baseline.rss),
      ratio: times(app.rss / baseline.rss),
      target: `<= ${TARGETS.idleRssRatio}x`,
      met: verdict(app.rss / baseline.rss <= TARGETS.idleRssRatio),
    }),
  ];
}

const peakRss = (curve: CurvePoint[]) => Math.max(...curve.map((point) => point.rss));

function memoryRows(store: 'memory' | 'Redis', memory: MemoryFigures, measureExpiry: boolean): Row[] {
  const heapGrowth = memory.afterLogins.heapUsed - memory.idle.heapUsed;
  const peak = peakRss(memory.curve);
  const rows: Row[] = [
    row(
      `Memory, ${store === 'memory' ? 'in-memory' : store} store, after ${memory.warmupLogins} warm-up logins: heap / RSS idle MiB`,
      {
        app: `${mib(memory.idle.heapUsed)} / ${mib(memory.idle.rss)}`,
      },
    ),
    row(`  heap / RSS after ${memory.sessions.toLocaleString('en')} logins (${fixed(memory.loginSeconds)} s) MiB`, {
      app: `${mib(memory.afterLogins.heapUsed)} / ${mib(memory.afterLogins.rss)}`,
    }),
    row('  highest RSS during the logins MiB', {
      app: mib(peak),
      ...(store === 'Redis'
        ? {
            target: `<= idle + ${TARGETS.loginRssHeadroomMiB}`,
            met: verdict(peak <= memory.idle.rss + TARGETS.loginRssHeadroomMiB * MiB),
          }
        : {}),
    }),
    row('  app heap per stored session, bytes', { app: whole(heapGrowth / memory.sessions) }),
  ];
  if (store === 'memory') {
    const rssGrowth = peak - memory.idle.rss;
    rows.push(
      row('  RSS growth ÷ live sessions\u2019 heap', {
        app: `${mib(rssGrowth)} / ${mib(heapGrowth)}`,
        ratio: times(rssGrowth / heapGrowth),
        target: `<= ${TARGETS.rssPerSessionHeap}x`,
        met: verdict(rssGrowth <= TARGETS.rssPerSessionHeap * heapGrowth),
      }),
    );
  }
  if (memory.redis) {
    rows.push(
      row('  Redis used_memory per session, bytes', { app: whole(memory.redis.bytesPerSession) }),
      row('  Redis keys after the logins', { app: whole(memory.redis.keys) }),
    );
  }
  const { afterExpiry } = memory;
  const nearIdle = store === 'Redis' ? { target: `<= idle + ${TARGETS.nearIdleMiB}` } : {};
  if (afterExpiry) {
    rows.push(
      row('  heap / RSS once the sessions expired MiB', {
        app: `${mib(afterExpiry.heapUsed)} / ${mib(afterExpiry.rss)}`,
        ...nearIdle,
        met: store === 'Redis' ? verdict(afterExpiry.rss <= memory.idle.rss + TARGETS.nearIdleMiB * MiB) : '',
      }),
    );
    if (memory.redis?.keysAfterExpiry !== undefined)
      rows.push(row('  Redis keys once expired', { app: whole(memory.redis.keysAfterExpiry) }));
  } else if (store === 'Redis') {
    rows.push(
      row('  RSS once the sessions expired', {
        app: measureExpiry ? 'n/a' : 'not measured (quick)',
        ...nearIdle,
        met: 'n/a',
      }),
    );
  }
  return rows;
}

function curveLines(store: string, memory: MemoryFigures): string[] {
  const width = Math.max(6, ...memory.curve.map((point) => String(point.logins).length + 1));
  const cells = (values: (number | string)[]) => values.map((value) => String(value).padStart(width)).join('');
  const lines = [
    `Memory curve, ${store} store (MiB, read as they were, without a GC; idle and the last readings after GC):`,
    `  logins ${cells(memory.curve.map((point) => point.logins))}`,
    `  RSS    ${cells(memory.curve.map((point) => fixed(point.rss / MiB, 0)))}`,
    `  heap   ${cells(memory.curve.map((point) => fixed(point.heapUsed / MiB, 0)))}`,
    `  idle after GC: RSS ${mib(memory.idle.rss)}, heap ${mib(memory.idle.heapUsed)}; after the logins, after GC: RSS ${mib(memory.afterLogins.rss)}, heap ${mib(memory.afterLogins.heapUsed)}`,
  ];
  if (memory.afterExpiry)
    lines.push(
      `  once the sessions expired, after GC: RSS ${mib(memory.afterExpiry.rss)}, heap ${mib(memory.afterExpiry.heapUsed)}`,
    );
  return lines;
}

/** The token page against /profile, all with an API configured, from the same rounds. */
function tokenPageRows(scenario: ScenarioRounds | undefined): Row[] {
  const side = (label: string) => scenario?.sides.find((candidate) => candidate.label.startsWith(label))?.results;
  const suffix =
    scenario?.sides
      .find((candidate) => candidate.label.startsWith(TOKEN_PAGE.without))
      ?.label.slice(TOKEN_PAGE.without.length) ?? '';
  const profile = side(TOKEN_PAGE.without);
  if (!profile)
    return [
      row('Page that needs a still-valid access token vs /profile', {
        app: 'not measured',
        target: `<= ${TARGETS.tokenPageCost}x`,
        met: 'n/a',
      }),
    ];
  const rows: Row[] = [];
  const pages = [
    { results: side(TOKEN_PAGE.withToken), figure: `Page that needs a still-valid access token${suffix}` },
    {
      results: side(TOKEN_PAGE.refreshed),
      figure: `Page whose still-valid token was refreshed since the sign-in${suffix}`,
    },
  ];
  const cpu = pick(profile, 'cpuMicrosPerRequest');
  const rps = pick(profile, 'rps');
  for (const { results, figure } of pages) {
    if (!results) continue;
    const cost = pick(results, 'cpuMicrosPerRequest') / cpu;
    const failed = failures(results) + failures(profile);
    rows.push(
      row(`${figure}: CPU per request µs (vs /profile)`, {
        app: whole(pick(results, 'cpuMicrosPerRequest')),
        baseline: `${whole(cpu)} (/profile)`,
        ratio: times(cost),
        target: `<= ${TARGETS.tokenPageCost}x`,
        met: verdict(cost <= TARGETS.tokenPageCost),
      }),
      row('    req/s', {
        app: whole(pick(results, 'rps')),
        baseline: whole(rps),
        ratio: times(pick(results, 'rps') / rps),
      }),
      row('    non-2xx + errors + timeouts', { app: whole(failed), target: '0', met: verdict(failed === 0) }),
    );
  }
  return rows;
}

export function formatReport(results: BenchResults): string {
  const rows: Row[] = [];
  for (const scenario of results.load) if (scenario.kind !== 'token') rows.push(...loadRows(scenario));
  const tokenScenarios = results.load.filter((scenario) => scenario.kind === 'token');
  if (tokenScenarios.length === 0) rows.push(...tokenPageRows(undefined));
  for (const scenario of tokenScenarios) rows.push(...tokenPageRows(scenario));
  rows.push(...loginRows(results.logins));
  for (const reading of results.atRest) rows.push(...atRestRows(reading));
  rows.push(...memoryRows('memory', results.memory, results.settings.measureExpiry));
  if (results.redisMemory) rows.push(...memoryRows('Redis', results.redisMemory, results.settings.measureExpiry));
  const header: Row = {
    figure: 'Figure',
    app: 'App',
    baseline: 'Baseline',
    ratio: 'Ratio',
    target: 'Target',
    met: 'Met',
  };
  const columns = Object.keys(header) as (keyof Row)[];
  const widths = columns.map((column) => Math.max(...[header, ...rows].map((entry) => entry[column].length)));
  const line = (entry: Row) =>
    columns
      .map((column, i) => (i === 0 ? entry[column].padEnd(widths[i] ?? 0) : entry[column].padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const judged = rows.filter((entry) => entry.met === 'yes' || entry.met === 'MISSED');
  const { machine, settings } = results;
  const notes = [
    `Targets met: ${judged.filter((entry) => entry.met === 'yes').length} of ${judged.length} judged (${rows.filter((entry) => entry.met === 'n/a').length} not measured).`,
    `${results.date}, ${results.quick ? 'QUICK run (small counts: a smoke test, not figures)' : 'full run'}, ${machine.cpus} x ${machine.model}, Node ${machine.node}, load average before ${machine.loadAverageBefore.map((n) => n.toFixed(2)).join(' ')}, after ${machine.loadAverageAfter.map((n) => n.toFixed(2)).join(' ')}`,
    `Load: ${settings.connections} connections, ${settings.rounds} interleaved round(s) of ${settings.loadSeconds} s per side, medians.`,
    ...results.pageBytes.map(
      (page) =>
        `${page.path}: app sends ${page.app} bytes, baseline ${page.baseline}${page.app === page.baseline ? '' : ' (DIFFERENT: ratios compare unlike pages)'}`,
    ),
    ...(results.seeded
      ? [
          `Seeded: ${results.seeded.sessions.toLocaleString('en')} sessions written through the app's own store in ${fixed(results.seeded.seconds)} s (${whole(results.seeded.sessions / results.seeded.seconds)}/s).`,
        ]
      : []),
    ...(results.seedSkipped ? [`Many-sessions row skipped: ${results.seedSkipped}`] : []),
    ...(results.redisSkipped ? [`Redis variant skipped: ${results.redisSkipped}`] : []),
    '',
    ...curveLines('in-memory', results.memory),
    ...(results.redisMemory ? curveLines('Redis', results.redisMemory) : []),
  ];
  return [line(header), ...rows.map(line), '', ...notes, ''].join('\n');
}
