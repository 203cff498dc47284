import autocannon from 'autocannon';
import type { Child } from './children.js';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /** Responses outside 2xx, connection errors and timeouts: the targets want all three at zero. */
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU time the server process spent per request (user + system). */
  cpuMicrosPerRequest: number;
}

interface LoadOptions {
  path: string;
  connections: number;
  seconds: number;
  /** Cookie header values, used round-robin, one per request (1,000 distinct sessions). */
  cookies?: string[];
}

/**
 * Loads one server with autocannon for a fixed time (autocannon stops by itself; the extra
 * timer is a safety net so a stuck run cannot hang the benchmark).
 */
export async function load(
  target: Child,
  { path, connections, seconds, cookies = [] }: LoadOptions,
): Promise<LoadResult> {
  let next = 0;
  const rotate = (request: autocannon.Request): autocannon.Request => {
    const cookie = cookies[next % cookies.length];
    next += 1;
    return cookie ? { ...request, headers: { ...request.headers, cookie } } : request;
  };
  const cpuBefore = await target.cpuMicros();
  const run = autocannon({
    url: `${target.origin}${path}`,
    connections,
    duration: seconds,
    timeout: 10,
    headers: { accept: 'text/html' },
    requests: [{ method: 'GET', path, setupRequest: rotate }],
  });
  let timer: NodeJS.Timeout | undefined;
  const safetyNet = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`load on ${path} did not finish`)), (seconds + 30) * 1000);
  });
  try {
    const result = await Promise.race([run, safetyNet]);
    const cpuMicros = (await target.cpuMicros()) - cpuBefore;
    return {
      cpuMicrosPerRequest: cpuMicros / result.requests.total,
      rps: result.requests.total / result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
    };
  } finally {
    clearTimeout(timer);
  }
}
