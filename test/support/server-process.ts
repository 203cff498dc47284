import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A port that was free a moment ago on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

interface ProcessOptions {
  /** Modules (test/support/...) run first in the same process: under tsx, or compiled for a built program. */
  preload?: string[];
  /** Another program than src/server.ts; a built one (`built: true`) runs on plain node, as production runs it. */
  entry?: string;
  built?: boolean;
}

/**
 * Starts the real server as `npm start` does (tsx src/server.ts), with exactly the given
 * environment. `preload` modules (test/support/...) run first in the same process, the way a
 * test can plant a fault without any test-only code in src/.
 */
export function startServerProcess(env: Record<string, string>, options: ProcessOptions = {}): ServerProcess {
  const preload = (options.preload ?? []).flatMap((module) => ['--import', module]);
  const loader = options.built ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, ...preload, options.entry ?? 'src/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  return { child, output: () => output, exited };
}

/** The JSON log lines among a process's output (the banner and warnings are plain text). */
export function logLinesOf(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Waits until `predicate(output)` holds, or fails after `timeoutMs`. */
export async function waitForOutput(
  server: ServerProcess,
  predicate: (output: string) => boolean,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(server.output())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for the server; output so far:\n${server.output()}`);
    if (server.child.exitCode !== null) throw new Error(`server exited early:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const STARTED = (output: string) => output.includes('"event":"server.started"');

/**
 * Starts the real server on a free port and waits until `ready(output)` holds. Test files run in
 * parallel, and another process can take a port between freePort() releasing it and the server
 * binding it: an attempt that fails with EADDRINUSE is retried on a new port, at most 3 times.
 * `env` may depend on the port (for a BASE_URL).
 */
export async function startServerOnFreePort(
  env: Record<string, string> | ((port: number) => Record<string, string>),
  options: ProcessOptions & { ready?: (output: string) => boolean } = {},
): Promise<{ server: ServerProcess; port: number }> {
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const server = startServerProcess(
      { PORT: String(port), ...(typeof env === 'function' ? env(port) : env) },
      options,
    );
    try {
      await waitForOutput(server, options.ready ?? STARTED);
      return { server, port };
    } catch (error) {
      if (attempt >= 3 || !server.output().includes('EADDRINUSE')) throw error;
    }
  }
}
