import type { LoadResult } from './load.js';
import type { MemoryFigures } from './memory.js';
import type { MemoryReading } from './probe-protocol.js';
import type { ScenarioRounds } from './scenarios.js';
import { median, percentile } from './stats.js';

export interface LoginFigures {
  count: number;
  totalMs: number[];
  appMs: number[];
  providerMs: number[];
}

export interface BenchResults {
  date: string;
  machine: { cpus: number; model: string; node: string; loadAverageBefore: number[]; loadAverageAfter: number[] };
  settings: object;
  pageBytes: { path: string; app: number; baseline: number }[];
  load: ScenarioRounds[];
  logins: LoginFigures;
  memory: MemoryFigures;
  redisMemory?: MemoryFigures;
  redisSkipped?: string;
  baselineMemory: MemoryReading;
}

interface Row {
  figure: string;
  app: string;
  baseline: string;
  ratio: string;
  target: string;
  met: string;
}

const MB = 1024 * 1024;
const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const times = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '');
const verdict = (ok: boolean | undefined) => (ok === undefined ? '' : ok ? 'yes' : 'MISSED');

function loadRows(rounds: ScenarioRounds, minRatio: number | undefined): Row[] {
  const pick = (results: LoadResult[], key: 'rps' | 'p50' | 'p99' | 'cpuMicrosPerRequest') =>
    median(results.map((result) => result[key]));
  const failures = (results: LoadResult[]) =>
    results.reduce((sum, result) => sum + result.non2xx + result.errors + result.timeouts, 0);
  const rps = { app: pick(rounds.app, 'rps'), baseline: pick(rounds.baseline, 'rps') };
  const p99 = { app: pick(rounds.app, 'p99'), baseline: pick(rounds.baseline, 'p99') };
  const p50 = { app: pick(rounds.app, 'p50'), baseline: pick(rounds.baseline, 'p50') };
  const cpu = { app: pick(rounds.app, 'cpuMicrosPerRequest'), baseline: pick(rounds.baseline, 'cpuMicrosPerRequest') };
  const failed = { app: failures(rounds.app), baseline: failures(rounds.baseline) };
  const rpsRatio = rps.app / rps.baseline;
  return [
    {
      figure: `${rounds.scenario}: req/s`,
      app: fixed(rps.app, 0),
      baseline: fixed(rps.baseline, 0),
      ratio: times(rpsRatio),
      target: minRatio ? `>= ${minRatio}x` : '',
      met: verdict(minRatio ? rpsRatio >= minRatio : undefined),
    },
    {
      figure: '  p50 latency ms',
      app: fixed(p50.app),
      baseline: fixed(p50.baseline),
      ratio: times(p50.app / p50.baseline),
      target: '',
      met: '',
    },
    {
      figure: '  p99 latency ms',
      app: fixed(p99.app),
      baseline: fixed(p99.baseline),
      ratio: times(p99.app / p99.baseline),
      target: '< 50 ms',
      met: verdict(p99.app < 50),
    },
    {
      figure: '  server CPU per request, µs',
      app: fixed(cpu.app, 0),
      baseline: fixed(cpu.baseline, 0),
      ratio: times(cpu.app / cpu.baseline),
      target: '',
      met: '',
    },
    {
      figure: '  non-2xx + errors',
      app: String(failed.app),
      baseline: String(failed.baseline),
      ratio: '',
      target: '0',
      met: verdict(failed.app === 0),
    },
  ];
}

function loginRows(logins: LoginFigures): Row[] {
  const row = (figure: string, values: number[], target = '', ok?: boolean): Row => ({
    figure,
    app: fixed(median(values)),
    baseline: '',
    ratio: '',
    target,
    met: verdict(ok),
  });
  const appMedian = median(logins.appMs);
  return [
    row(`Login round trip (${logins.count} sequential): median ms`, logins.totalMs),
    { ...row('  p95 ms', []), app: fixed(percentile(logins.totalMs, 95)) },
    row('  app share, median ms', logins.appMs, '<= 10 ms', appMedian <= 10),
    { ...row('  app share, p95 ms', []), app: fixed(percentile(logins.appMs, 95)) },
    row('  provider share, median ms', logins.providerMs),
  ];
}

function memoryRows(label: string, memory: MemoryFigures, baseline: MemoryReading, perSessionTarget: boolean): Row[] {
  const mb = (bytes: number) => fixed(bytes / MB);
  const growth = memory.afterLogins.heapUsed - memory.idle.heapUsed;
  const rows: Row[] = [
    {
      figure: `${label}: heap idle MB`,
      app: mb(memory.idle.heapUsed),
      baseline: mb(baseline.heapUsed),
      ratio: times(memory.idle.heapUsed / baseline.heapUsed),
      target: '',
      met: '',
    },
    {
      figure: '  RSS idle MB',
      app: mb(memory.idle.rss),
      baseline: mb(baseline.rss),
      ratio: times(memory.idle.rss / baseline.rss),
      target: '',
      met: '',
    },
    {
      figure: `  heap after ${memory.sessions} logins MB (${fixed(memory.loginSeconds)} s)`,
      app: mb(memory.afterLogins.heapUsed),
      baseline: '',
      ratio: '',
      target: '',
      met: '',
    },
    { figure: '  RSS after logins MB', app: mb(memory.afterLogins.rss), baseline: '', ratio: '', target: '', met: '' },
    {
      figure: '  app heap per stored session, bytes',
      app: fixed(memory.heapBytesPerSession, 0),
      baseline: '',
      ratio: '',
      target: perSessionTarget ? '<= 2048' : '',
      met: verdict(perSessionTarget ? memory.heapBytesPerSession <= 2048 : undefined),
    },
  ];
  if (memory.redis) {
    rows.push({
      figure: '  Redis used_memory per session, bytes',
      app: fixed(memory.redis.bytesPerSession, 0),
      baseline: '',
      ratio: '',
      target: '',
      met: '',
    });
    rows.push({
      figure: '  Redis keys after logins',
      app: String(memory.redis.keys),
      baseline: '',
      ratio: '',
      target: '',
      met: '',
    });
  }
  if (memory.afterExpiry) {
    const left = memory.afterExpiry.heapUsed - memory.idle.heapUsed;
    // Flat: at most a tenth of what the sessions added is still there once they expired.
    const flat = left <= Math.max(0.1 * growth, 1 * MB);
    rows.push({
      figure: '  heap after expiry MB',
      app: mb(memory.afterExpiry.heapUsed),
      baseline: '',
      ratio: '',
      target: 'back to idle',
      met: verdict(flat),
    });
    rows.push({
      figure: '  RSS after expiry MB',
      app: mb(memory.afterExpiry.rss),
      baseline: '',
      ratio: '',
      target: '',
      met: '',
    });
    if (memory.redis?.afterExpiryBytes !== undefined) {
      rows.push({
        figure: '  Redis keys after expiry',
        app: String(memory.redis.keysAfterExpiry),
        baseline: '',
        ratio: '',
        target: '0',
        met: verdict(memory.redis.keysAfterExpiry === 0),
      });
    }
  }
  return rows;
}

const RPS_TARGETS: Record<string, number> = {
  'GET / anonymous': 0.6,
  'GET /profile, 1 session': 0.5,
  'GET /profile, 1,000 sessions': 0.5,
};
const REDIS_RPS_TARGET = 0.35;

export function formatReport(results: BenchResults): string {
  const rows: Row[] = [];
  for (const rounds of results.load) {
    rows.push(...loadRows(rounds, rounds.scenario.includes('Redis') ? REDIS_RPS_TARGET : RPS_TARGETS[rounds.scenario]));
  }
  rows.push(...loginRows(results.logins));
  rows.push(...memoryRows('Memory, in-memory store', results.memory, results.baselineMemory, true));
  if (results.redisMemory)
    rows.push(...memoryRows('Memory, Redis store', results.redisMemory, results.baselineMemory, true));
  const header: Row = {
    figure: 'Figure',
    app: 'App',
    baseline: 'Baseline',
    ratio: 'Ratio',
    target: 'Target',
    met: 'Met',
  };
  const columns = Object.keys(header) as (keyof Row)[];
  const widths = columns.map((column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  const line = (row: Row) =>
    columns
      .map((column, i) => (i === 0 ? row[column].padEnd(widths[i] ?? 0) : row[column].padStart(widths[i] ?? 0)))
      .join('  ');
  const { machine } = results;
  const notes = [
    `${results.date}, ${machine.cpus} x ${machine.model}, Node ${machine.node}, load average before ${machine.loadAverageBefore.map((n) => n.toFixed(2)).join(' ')}, after ${machine.loadAverageAfter.map((n) => n.toFixed(2)).join(' ')}`,
    ...results.pageBytes.map(
      (page) =>
        `${page.path}: app sends ${page.app} bytes, baseline ${page.baseline}${page.app === page.baseline ? '' : ' (DIFFERENT: ratios compare unlike pages)'}`,
    ),
    ...(results.redisSkipped ? [`Redis variant skipped: ${results.redisSkipped}`] : []),
  ];
  return [line(header), ...rows.map(line), '', ...notes, ''].join('\n');
}
