/**
 * Preloaded (`--import`) into the app by `npm run bench:layers`, never by the app itself: the
 * synchronous time each Express middleware and handler takes per request, its own only (time in
 * the layers it hands over to is theirs). Time after an asynchronous step (a store read answered
 * on a later turn) counts for the layer that resumes. On SIGUSR2 it writes the totals since the
 * last signal to LAYER_TIMING_FILE, and starts again.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import http from 'node:http';
import { performance } from 'node:perf_hooks';

interface Layer {
  name: string;
  handle: (...args: unknown[]) => unknown;
  route?: { path: string };
  handleRequest: (this: Layer, req: unknown, res: unknown, next: unknown) => unknown;
}
interface Frame {
  own: number;
  resumedAt: number;
}

const output = process.env.LAYER_TIMING_FILE ?? 'layer-timing.txt';
const appRequire = createRequire(`${process.cwd()}/package.json`);
const { prototype } = appRequire('router/lib/layer.js') as { prototype: Layer };
const handleRequest = prototype.handleRequest;
const totals = new Map<string, { calls: number; ms: number }>();
const labels = new WeakMap<Layer, string>();
const frames: Frame[] = [];
let requests = 0;

function labelOf(layer: Layer): string {
  let label = labels.get(layer);
  if (label === undefined) {
    const source = String(layer.handle).replace(/\s+/g, ' ').slice(0, 80);
    label = `${layer.route ? `route ${layer.route.path}: ` : ''}${layer.name === '<anonymous>' ? '' : `${layer.name}: `}${source}`;
    labels.set(layer, label);
  }
  return label;
}

prototype.handleRequest = function timedHandleRequest(this: Layer, req, res, next) {
  const start = performance.now();
  const outer = frames.at(-1);
  if (outer) outer.own += start - outer.resumedAt;
  const frame: Frame = { own: 0, resumedAt: start };
  frames.push(frame);
  try {
    return handleRequest.call(this, req, res, next);
  } finally {
    const end = performance.now();
    frames.pop();
    const label = labelOf(this);
    const total = totals.get(label) ?? { calls: 0, ms: 0 };
    total.calls += 1;
    total.ms += frame.own + (end - frame.resumedAt);
    totals.set(label, total);
    if (outer) outer.resumedAt = end;
  }
};

// Called with the server as `this` below, never unbound.
const emit = Reflect.get(http.Server.prototype, 'emit') as (this: http.Server, ...args: unknown[]) => boolean;
http.Server.prototype.emit = function countRequests(this: http.Server, event: string | symbol, ...args: unknown[]) {
  if (event === 'request') requests += 1;
  return Reflect.apply(emit, this, [event, ...args]);
};

process.on('SIGUSR2', () => {
  const rows = [...totals]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([label, { ms }]) => `${((ms * 1000) / Math.max(1, requests)).toFixed(1).padStart(7)} µs  ${label}`);
  writeFileSync(output, `${requests} requests; synchronous time per request, by layer\n${rows.join('\n')}\n`);
  totals.clear();
  requests = 0;
});
