import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';

export interface Hop {
  url: URL;
  status: number;
  location?: URL;
  body: string;
  /** Wall time from sending the request to having read the whole body. */
  ms: number;
}

const HOP_TIMEOUT_MS = 10_000;

// Keep-alive, as a browser keeps its connections: a login's hops reuse them.
const httpAgent = new http.Agent({ keepAlive: true });
let httpsAgent = new https.Agent({ keepAlive: true });

/** Trusts the benchmark provider's self-signed certificate (node's fetch takes no CA without undici). */
export function trustCertificate(cert: string): void {
  httpsAgent.destroy();
  httpsAgent = new https.Agent({ keepAlive: true, ca: cert });
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(url: URL, method: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const transport =
    url.protocol === 'https:'
      ? { request: https.request, agent: httpsAgent }
      : { request: http.request, agent: httpAgent };
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      { method, headers, agent: transport.agent, timeout: HOP_TIMEOUT_MS },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url.origin} within ${HOP_TIMEOUT_MS} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * A small browser for the benchmark driver: one cookie jar per origin, redirects left to the
 * caller so each hop can be timed and attributed to the app or the provider.
 */
export class BenchBrowser {
  private readonly jars = new Map<string, Map<string, string>>();

  /** A new browser that starts with a copy of this one's cookies for `origin` (e.g. a provider session). */
  withCookiesOf(origin: string): BenchBrowser {
    const copy = new BenchBrowser();
    copy.jars.set(origin, new Map(this.jars.get(origin)));
    return copy;
  }

  /** The `name=value` pair to send as a Cookie header, or undefined when this browser has no such cookie. */
  cookie(origin: string, name: string): string | undefined {
    const value = this.jars.get(origin)?.get(name);
    return value === undefined ? undefined : `${name}=${value}`;
  }

  async request(url: URL, form?: Record<string, string>): Promise<Hop> {
    const jar = this.jars.get(url.origin) ?? new Map<string, string>();
    this.jars.set(url.origin, jar);
    const headers: Record<string, string> = { accept: 'text/html' };
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = url.origin;
    }
    const payload = form ? new URLSearchParams(form).toString() : undefined;
    const begin = performance.now();
    const response = await send(url, form ? 'POST' : 'GET', headers, payload);
    const ms = performance.now() - begin;
    for (const line of response.headers['set-cookie'] ?? []) remember(jar, line);
    const location = response.headers.location;
    return {
      url,
      status: response.status,
      location: location ? new URL(location, url) : undefined,
      body: response.body,
      ms,
    };
  }
}

function remember(jar: Map<string, string>, setCookie: string): void {
  const [pair = '', ...attributes] = setCookie.split(';');
  const separator = pair.indexOf('=');
  const name = pair.slice(0, separator).trim();
  const value = pair.slice(separator + 1).trim();
  const expired = attributes.some((attribute) => {
    const [key = '', raw = ''] = attribute.split('=');
    const lower = key.trim().toLowerCase();
    return (lower === 'max-age' && Number(raw) <= 0) || (lower === 'expires' && Date.parse(raw) <= Date.now());
  });
  if (expired || value === '') jar.delete(name);
  else jar.set(name, value);
}
