import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MemoryReading, ProbeQuestion, ProbeReply, ProbeRequest, TimingReading } from './probe-protocol.js';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const resultsDir = fileURLToPath(new URL('./results', import.meta.url));
/** The probe and the baseline, compiled by `npm run bench:build` (bench/tsconfig.children.json). */
export const childBuildDir = `${resultsDir}/build`;
const probe = `${childBuildDir}/bench/app-probe.js`;

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export interface Child {
  name: string;
  origin: string;
  process: ChildProcess;
  /** Where its stdout and stderr go (bench/results/logs/<name>.log, appended to). */
  logPath: string;
  /** Heap and RSS after a full GC. */
  memory(): Promise<MemoryReading>;
  /** Heap and RSS as they are, without a GC (for curves during load). */
  usage(): Promise<MemoryReading>;
  /** Writes a heap snapshot of the process (after a full GC) to `file`. */
  heapSnapshot(file: string): Promise<void>;
  /** CPU time used so far, in microseconds: per request, it varies much less with other load than req/s does. */
  cpuMicros(): Promise<number>;
  startTiming(): Promise<void>;
  readTiming(): Promise<TimingReading>;
  stop(): Promise<number | string>;
}

interface StartOptions {
  name: string;
  /** Plain JavaScript to run: the compiled app (dist/server.js) or the compiled baseline. */
  entry: string;
  port: number;
  env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags?: string[];
  /** Path that must answer 200 before the process counts as ready. */
  readyPath?: string;
}

/**
 * Starts a server in its own process (so the load generator never shares its event loop), with
 * the probe preloaded, its output in a log file under bench/results/logs, and waits until it
 * answers on loopback.
 */
export async function startChild(options: StartOptions): Promise<Child> {
  for (const file of [options.entry, probe]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build && npm run bench:build`);
  }
  mkdirSync(`${resultsDir}/logs`, { recursive: true });
  const logPath = `${resultsDir}/logs/${options.name}.log`;
  const log = openSync(logPath, 'a');
  const child = fork(options.entry, [], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    // No tsx: the measured processes run plain JavaScript, as production does.
    execArgv: ['--expose-gc', '--import', probe, ...(options.nodeFlags ?? [])],
    stdio: ['ignore', log, log, 'ipc'],
  });
  closeSync(log);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );

  let nextId = 1;
  const pending = new Map<number, (reply: ProbeReply) => void>();
  child.on('message', (reply: ProbeReply) => {
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  function ask(question: ProbeQuestion, timeoutMs = 30_000): Promise<ProbeReply> {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${options.name}: no answer to ${question.probe}`)), timeoutMs);
      pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      child.send({ ...question, id } satisfies ProbeRequest);
    });
  }
  const unexpected = (probe: string) => new Error(`${options.name}: unexpected answer to ${probe}`);

  const origin = `http://127.0.0.1:${options.port}`;
  await waitUntilServing(`${origin}${options.readyPath ?? '/'}`, exited, logPath);
  return {
    name: options.name,
    origin,
    process: child,
    logPath,
    async memory() {
      const reply = await ask({ probe: 'memory' });
      if (!('memory' in reply)) throw unexpected('memory');
      return reply.memory;
    },
    async usage() {
      const reply = await ask({ probe: 'usage' });
      if (!('usage' in reply)) throw unexpected('usage');
      return reply.usage;
    },
    async heapSnapshot(file) {
      await ask({ probe: 'heap-snapshot', file }, 120_000);
    },
    async cpuMicros() {
      const reply = await ask({ probe: 'cpu' });
      if (!('cpu' in reply)) throw unexpected('cpu');
      return reply.cpu.cpuMicros;
    },
    async startTiming() {
      await ask({ probe: 'timing-start' });
    },
    async readTiming() {
      const reply = await ask({ probe: 'timing-read' });
      if (!('timing' in reply)) throw unexpected('timing-read');
      return reply.timing;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

async function waitUntilServing(url: string, exited: Promise<number | string>, logPath: string): Promise<void> {
  let exitedWith: number | string | undefined;
  void exited.then((code) => (exitedWith = code));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exitedWith !== undefined)
      throw new Error(`server exited (${exitedWith}) before serving ${url}; see ${logPath}`);
    try {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server did not serve ${url} within ${READY_TIMEOUT_MS} ms; see ${logPath}`);
}
