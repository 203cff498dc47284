/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): where the self time goes, by package and by
 * function. Used by `npm run bench -- --profile`; also runs alone: tsx bench/profile-summary.ts FILE.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  byPackage: { name: string; percent: number }[];
  byFunction: { name: string; percent: number }[];
  /** Time with the function anywhere on the stack (itself and what it calls), counted once per sample. */
  inclusive: { name: string; percent: number }[];
}

function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules?.[1]) return inModules[1];
  if (url.startsWith('node:')) return 'node core';
  if (url.includes('/dist/') || url.includes('/src/')) return 'app (src)';
  return url;
}

function top(counts: Map<string, number>, total: number, limit: number) {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, count]) => ({ name, percent: (100 * count) / total }));
}

function frameName(frame: ProfileNode['callFrame']): string {
  const where = frame.url
    ? `${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|src)\//, '$1/')}:${frame.lineNumber + 1}`
    : '';
  return `${frame.functionName || '(anonymous)'} ${where}`.trim();
}

function inclusiveCounts(profile: CpuProfile, nodes: Map<number, ProfileNode>): Map<string, number> {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const counts = new Map<string, number>();
  for (const [id, count] of hits) {
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = nodes.get(current)?.callFrame;
      if (!frame || frame.functionName === '(root)') continue;
      const name = frameName(frame);
      if (seen.has(name)) continue;
      seen.add(name);
      counts.set(name, (counts.get(name) ?? 0) + count);
    }
  }
  return counts;
}

export function summariseProfile(path: string, limit = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const packages = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const id of profile.samples) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    const pkg = packageOf(frame.url, frame.functionName);
    packages.set(pkg, (packages.get(pkg) ?? 0) + 1);
    const name = frameName(frame);
    functions.set(name, (functions.get(name) ?? 0) + 1);
  }
  const total = profile.samples.length || 1;
  return {
    totalMs: (profile.endTime - profile.startTime) / 1000,
    byPackage: top(packages, total, limit),
    byFunction: top(functions, total, limit),
    inclusive: top(inclusiveCounts(profile, nodes), total, limit),
  };
}

export function formatProfile(summary: ProfileSummary): string {
  const rows = (items: { name: string; percent: number }[]) =>
    items.map((item) => `  ${item.percent.toFixed(1).padStart(5)}%  ${item.name}`).join('\n');
  return `CPU profile (${(summary.totalMs / 1000).toFixed(1)} s), self time by package:\n${rows(summary.byPackage)}\nself time by function:\n${rows(summary.byFunction)}\ninclusive time (the function and what it calls):\n${rows(summary.inclusive)}\n`;
}

/** One profile per thread: the main thread's (thread id 0) is the app; the others are loader hooks. */
export function newestMainThreadProfile(dir: string): string | undefined {
  const files = readdirSync(dir)
    .filter((file) => /\.\d+\.0\.\d+\.cpuprofile$/.test(file))
    .map((file) => `${dir}/${file}`);
  return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: tsx bench/profile-summary.ts FILE.cpuprofile');
  process.stdout.write(formatProfile(summariseProfile(file, 30)));
}
