/**
 * What holds a V8 heap snapshot: every object's retained size (through the dominator tree), and
 * the whole heap split by the module that holds it. Each object belongs to the nearest object on
 * its dominator chain that names a module (a function, its code or its closure context, through
 * the script it was compiled from: a package under node_modules, one of the app's dist/ files,
 * node core; or a CommonJS module record, through its file name); objects held only by the runtime's roots count under their own constructor name.
 * The groups partition the heap, so they add up to its size. Used by `npm run bench:heap`; also
 * runs alone: tsx bench/heap-summary.ts FILE.heapsnapshot.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface RawSnapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface HeapSummary {
  totalBytes: number;
  nodes: number;
  byModule: { name: string; bytes: number; objects: number }[];
  largest: { name: string; module: string; retainedBytes: number }[];
}

/** Passes of the dominator iteration; it converges in a handful on real heaps. */
const MAX_DOMINATOR_PASSES = 100;

function moduleOf(url: string): string | undefined {
  if (url === '') return undefined;
  if (url.startsWith('node:')) return 'node core';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (!path.startsWith('/')) return undefined;
  const packages = [...path.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
  const last = packages.at(-1)?.[1];
  if (last) return last;
  const inDist = /\/dist\/(.+)$/.exec(path);
  if (inDist?.[1]) return `app: ${inDist[1]}`;
  if (path.includes('/bench/')) return 'bench probe';
  return path;
}

export function summariseHeap(file: string, limit = 20): HeapSummary {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as RawSnapshot;
  const { meta } = raw.snapshot;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const [nodeTypes] = meta.node_types;
  const [edgeTypes] = meta.edge_types;
  const at = (fields: string[], name: string) => {
    const index = fields.indexOf(name);
    if (index < 0) throw new Error(`heap snapshot without ${name}`);
    return index;
  };
  const nType = at(meta.node_fields, 'type');
  const nName = at(meta.node_fields, 'name');
  const nSize = at(meta.node_fields, 'self_size');
  const nEdges = at(meta.node_fields, 'edge_count');
  const eType = at(meta.edge_fields, 'type');
  const eName = at(meta.edge_fields, 'name_or_index');
  const eTo = at(meta.edge_fields, 'to_node');
  const weak = edgeTypes.indexOf('weak');
  const named = new Set(['context', 'property', 'internal', 'shortcut'].map((type) => edgeTypes.indexOf(type)));
  const { nodes, edges, strings } = raw;
  const count = nodes.length / nf;

  const firstEdge = new Uint32Array(count + 1);
  for (let node = 0, offset = 0; node < count; node += 1) {
    firstEdge[node] = offset;
    offset += (nodes[node * nf + nEdges] ?? 0) * ef;
    firstEdge[node + 1] = offset;
  }
  const typeOf = (node: number) => nodeTypes[nodes[node * nf + nType] ?? 0] ?? '';
  const nameOf = (node: number) => strings[nodes[node * nf + nName] ?? 0] ?? '';
  const label = (node: number) => `(${typeOf(node)}) ${nameOf(node).replace(/\s+/g, ' ').slice(0, 60)}`;
  const sizeOf = (node: number) => nodes[node * nf + nSize] ?? 0;
  const edgeTarget = (edge: number) => (edges[edge + eTo] ?? 0) / nf;
  const edgeName = (edge: number) =>
    named.has(edges[edge + eType] ?? -1) ? (strings[edges[edge + eName] ?? 0] ?? '') : '';
  const strong = (edge: number) => edges[edge + eType] !== weak;

  // Depth-first post-order from the root (node 0) over strong edges.
  const post = new Int32Array(count).fill(-1);
  const order: number[] = [];
  const visited = new Uint8Array(count);
  const stack: number[] = [0];
  const cursor = new Uint32Array(count);
  visited[0] = 1;
  cursor[0] = firstEdge[0] ?? 0;
  while (stack.length > 0) {
    const node = stack[stack.length - 1] ?? 0;
    const end = firstEdge[node + 1] ?? 0;
    let pushed = false;
    while ((cursor[node] ?? end) < end) {
      const edge = cursor[node] ?? end;
      cursor[node] = edge + ef;
      const target = edgeTarget(edge);
      if (!strong(edge) || visited[target]) continue;
      visited[target] = 1;
      cursor[target] = firstEdge[target] ?? 0;
      stack.push(target);
      pushed = true;
      break;
    }
    if (!pushed) {
      stack.pop();
      post[node] = order.length;
      order.push(node);
    }
  }
  const reached = order.length;

  // Predecessors (as post-order numbers), compressed.
  const predCount = new Uint32Array(reached + 1);
  for (const node of order) {
    for (let edge = firstEdge[node] ?? 0; edge < (firstEdge[node + 1] ?? 0); edge += ef) {
      const target = post[edgeTarget(edge)] ?? -1;
      if (strong(edge) && target >= 0) predCount[target + 1] = (predCount[target + 1] ?? 0) + 1;
    }
  }
  for (let i = 0; i < reached; i += 1) predCount[i + 1] = (predCount[i + 1] ?? 0) + (predCount[i] ?? 0);
  const preds = new Int32Array(predCount[reached] ?? 0);
  const fill = predCount.slice(0, reached);
  for (const node of order) {
    const from = post[node] ?? 0;
    for (let edge = firstEdge[node] ?? 0; edge < (firstEdge[node + 1] ?? 0); edge += ef) {
      const target = post[edgeTarget(edge)] ?? -1;
      if (!strong(edge) || target < 0) continue;
      preds[fill[target] ?? 0] = from;
      fill[target] = (fill[target] ?? 0) + 1;
    }
  }

  // Dominators (Cooper, Harvey and Kennedy), in post-order numbers; the root is the last.
  const root = reached - 1;
  const idom = new Int32Array(reached).fill(-1);
  idom[root] = root;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (a < b) a = idom[a] ?? root;
      while (b < a) b = idom[b] ?? root;
    }
    return a;
  };
  for (let pass = 0, changed = true; changed && pass < MAX_DOMINATOR_PASSES; pass += 1) {
    changed = false;
    for (let p = root - 1; p >= 0; p -= 1) {
      let chosen = -1;
      for (let i = predCount[p] ?? 0; i < (predCount[p + 1] ?? 0); i += 1) {
        const pred = preds[i] ?? -1;
        if ((idom[pred] ?? -1) < 0) continue;
        chosen = chosen < 0 ? pred : intersect(pred, chosen);
      }
      if (chosen >= 0 && idom[p] !== chosen) {
        idom[p] = chosen;
        changed = true;
      }
    }
  }

  const retained = new Float64Array(reached);
  for (let p = 0; p < reached; p += 1) retained[p] = sizeOf(order[p] ?? 0);
  for (let p = 0; p < root; p += 1) retained[idom[p] ?? root] = (retained[idom[p] ?? root] ?? 0) + (retained[p] ?? 0);

  // The module a node names itself: a script, code compiled from one, a closure, or a closure's context.
  const edgeTo = (node: number, name: string) => {
    for (let edge = firstEdge[node] ?? 0; edge < (firstEdge[node + 1] ?? 0); edge += ef)
      if (edgeName(edge) === name) return edgeTarget(edge);
    return undefined;
  };
  const scriptModule = (node: number): string | undefined => {
    if (typeOf(node) !== 'code') return undefined;
    return edgeTo(node, 'source') === undefined ? undefined : moduleOf(nameOf(node));
  };
  const codeModule = (node: number): string | undefined => {
    const script = edgeTo(node, 'script_or_debug_info') ?? edgeTo(node, 'script');
    return script === undefined ? scriptModule(node) : scriptModule(script);
  };
  const ownModule = (node: number, p: number): string | undefined => {
    const type = typeOf(node);
    if (type === 'closure') {
      const shared = edgeTo(node, 'shared');
      return shared === undefined ? undefined : codeModule(shared);
    }
    if (type === 'code') return codeModule(node);
    // A CommonJS module record (require's cache) holds its exports: named by its file.
    if (type === 'object' && nameOf(node) === 'Module') {
      const filename = edgeTo(node, 'filename');
      return filename === undefined ? undefined : moduleOf(nameOf(filename));
    }
    if (nameOf(node) === 'system / Context') {
      for (let i = predCount[p] ?? 0; i < (predCount[p + 1] ?? 0); i += 1) {
        const holder = order[preds[i] ?? 0] ?? 0;
        if (typeOf(holder) === 'closure') return ownModule(holder, preds[i] ?? 0);
      }
    }
    return undefined;
  };
  const constructorGroup = (node: number) => {
    const type = typeOf(node);
    return type === 'object' || type === 'hidden' || type === 'code' || type === 'native' ? label(node) : `(${type}s)`;
  };

  const group: string[] = new Array<string>(reached);
  group[root] = '(root)';
  const byModule = new Map<string, { bytes: number; objects: number }>();
  for (let p = root - 1; p >= 0; p -= 1) {
    const node = order[p] ?? 0;
    const dominator = idom[p] ?? root;
    const topLevel = dominator === root || typeOf(order[dominator] ?? 0) === 'synthetic';
    const name = ownModule(node, p) ?? (topLevel ? constructorGroup(node) : (group[dominator] ?? '(root)'));
    group[p] = name;
    const entry = byModule.get(name) ?? { bytes: 0, objects: 0 };
    entry.bytes += sizeOf(node);
    entry.objects += 1;
    byModule.set(name, entry);
  }

  const largest = [...Array(root).keys()]
    .filter((p) => typeOf(order[p] ?? 0) !== 'synthetic')
    .sort((a, b) => (retained[b] ?? 0) - (retained[a] ?? 0))
    .slice(0, 15)
    .map((p) => ({
      name: label(order[p] ?? 0),
      module: group[p] ?? '',
      retainedBytes: retained[p] ?? 0,
    }));
  return {
    totalBytes: retained[root] ?? 0,
    nodes: reached,
    byModule: [...byModule]
      .map(([name, entry]) => ({ name, ...entry }))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, limit),
    largest,
  };
}

export function formatHeap(summary: HeapSummary): string {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0).padStart(7)} KiB`;
  const percent = (bytes: number) => `${((100 * bytes) / summary.totalBytes).toFixed(1).padStart(5)}%`;
  return [
    `Heap: ${(summary.totalBytes / 1024 / 1024).toFixed(1)} MiB in ${summary.nodes.toLocaleString('en')} objects`,
    `Held by module (each object counted once, under the nearest holder that names a module), top ${summary.byModule.length}:`,
    ...summary.byModule.map(
      (entry) =>
        `  ${kib(entry.bytes)} ${percent(entry.bytes)}  ${entry.name} (${entry.objects.toLocaleString('en')} objects)`,
    ),
    'Largest single retainers (retained size; a retainer includes what it dominates):',
    ...summary.largest.map(
      (entry) => `  ${kib(entry.retainedBytes)} ${percent(entry.retainedBytes)}  ${entry.name}  [${entry.module}]`,
    ),
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: tsx bench/heap-summary.ts FILE.heapsnapshot');
  process.stdout.write(formatHeap(summariseHeap(file)));
}
