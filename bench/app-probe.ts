/**
 * Preloaded (`--import`) into the app and baseline processes by the benchmark, never by the app
 * itself, compiled to plain JavaScript first (`npm run bench:build`) so that neither process loads
 * tsx (about 30 MB of RSS). Answers the driver over the IPC channel: memory after a full GC or as
 * it is (`usage`, for curves that a forced GC would flatten), a heap snapshot, and on demand the time
 * spent in request handlers versus waiting on outbound HTTP calls. Timing hooks are subscribed only
 * between `timing-start` and the end of the run, so load figures do not pay for them.
 */
import dc from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import type { MemoryReading, ProbeReply, ProbeRequest, TimingReading } from './probe-protocol.js';

const gc = (globalThis as { gc?: () => void }).gc;

function usage(): MemoryReading {
  const { heapUsed, heapTotal, rss, external } = process.memoryUsage();
  return { heapUsed, heapTotal, rss, external };
}

function collect(): void {
  if (!gc) throw new Error('the probe needs node --expose-gc');
  // Two passes: the first may only queue finalizers whose memory the second frees.
  gc();
  gc();
}

const started = new WeakMap<object, number>();
let totals: TimingReading = { serverMs: 0, requests: 0, outboundMs: 0, outboundRequests: 0 };
let inFlight = 0;
let inFlightSince = 0;

// The app waits on the provider during /callback (token, userinfo, keys); overlapping calls are
// counted once, as wall time, because that is what the visitor waits for.
const onServerStart = (message: unknown) => started.set((message as { response: object }).response, performance.now());
const onServerFinish = (message: unknown) => {
  const begin = started.get((message as { response: object }).response);
  if (begin === undefined) return;
  totals.serverMs += performance.now() - begin;
  totals.requests += 1;
};
const onOutboundCreate = () => {
  if (inFlight === 0) inFlightSince = performance.now();
  inFlight += 1;
  totals.outboundRequests += 1;
};
const onOutboundEnd = () => {
  if (inFlight === 0) return;
  inFlight -= 1;
  if (inFlight === 0) totals.outboundMs += performance.now() - inFlightSince;
};

function startTiming(): void {
  dc.subscribe('http.server.request.start', onServerStart);
  dc.subscribe('http.server.response.finish', onServerFinish);
  dc.subscribe('undici:request:create', onOutboundCreate);
  dc.subscribe('undici:request:trailers', onOutboundEnd);
  dc.subscribe('undici:request:error', onOutboundEnd);
}

function readTiming(): TimingReading {
  const reading = totals;
  totals = { serverMs: 0, requests: 0, outboundMs: 0, outboundRequests: 0 };
  return reading;
}

function answer(request: ProbeRequest): ProbeReply {
  switch (request.probe) {
    case 'memory':
      collect();
      return { id: request.id, memory: usage() };
    case 'usage':
      return { id: request.id, usage: usage() };
    case 'heap-snapshot':
      collect();
      v8.writeHeapSnapshot(request.file);
      return { id: request.id, ok: true };
    case 'cpu': {
      const { user, system } = process.cpuUsage();
      return { id: request.id, cpu: { cpuMicros: user + system } };
    }
    case 'timing-start':
      startTiming();
      return { id: request.id, ok: true };
    case 'timing-read':
      return { id: request.id, timing: readTiming() };
  }
}

process.on('message', (message: ProbeRequest) => {
  process.send?.(answer(message));
});
// The IPC channel must not keep a stopping process alive.
process.channel?.unref();
