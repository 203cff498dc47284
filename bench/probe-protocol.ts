/** Messages between the benchmark driver and the probe preloaded into the app and baseline processes. */
export type ProbeQuestion =
  | { probe: 'memory' | 'usage' | 'cpu' | 'timing-start' | 'timing-read' }
  /** Writes a heap snapshot (after a full GC) to `file`. */
  | { probe: 'heap-snapshot'; file: string };
export type ProbeRequest = ProbeQuestion & { id: number };

export interface MemoryReading {
  heapUsed: number;
  heapTotal: number;
  rss: number;
  external: number;
}

/**
 * Time the process spent serving HTTP requests, and the part of it spent waiting for its own
 * outbound HTTP calls (to the OpenID Provider), since the last read.
 */
export interface TimingReading {
  serverMs: number;
  requests: number;
  outboundMs: number;
  outboundRequests: number;
}

/** CPU time the process used so far (user + system), in microseconds. */
export interface CpuReading {
  cpuMicros: number;
}

export type ProbeReply =
  | { id: number; memory: MemoryReading }
  | { id: number; usage: MemoryReading }
  | { id: number; timing: TimingReading }
  | { id: number; cpu: CpuReading }
  | { id: number; ok: true };
