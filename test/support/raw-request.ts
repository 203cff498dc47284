import { request } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Sends one GET over node:http with the request target exactly as given: an origin-form path, or
 * an absolute-form URL (`http://evil.example/callback`) as clients of a proxy send it, which
 * makes Express's req.originalUrl absolute. Host defaults to the app's; no cookie jar.
 */
export function rawGet(origin: string, target: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { hostname: url.hostname, port: url.port, method: 'GET', path: target, headers: { host: url.host, ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}
