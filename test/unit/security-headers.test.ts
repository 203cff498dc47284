import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { describe, expect, it } from 'vitest';
import { recordHeaders } from '../../src/middleware/recorded-headers.js';
import { securityHeaderPolicy, securityHeaders } from '../../src/middleware/security-headers.js';

/** A real node:http response (never sent: its socket is not connected) with Express' `locals`. */
function blankResponse(locals: Record<string, unknown> = {}): { req: Request; res: Response } {
  const req = new IncomingMessage(new Socket());
  const res = Object.assign(new ServerResponse(req), { locals });
  // Helmet removes it; both sides must start from the same headers to prove they do the same.
  res.setHeader('X-Powered-By', 'Express');
  return { req: req as Request, res: res as unknown as Response };
}

function run(handler: RequestHandler, locals?: Record<string, unknown>): Response {
  const { req, res } = blankResponse(locals);
  const nextCalls: unknown[] = [];
  void handler(req, res, (error?: unknown) => nextCalls.push(error));
  expect(nextCalls).toEqual([undefined]);
  return res;
}

const sites = [
  ['http', { baseURL: 'http://localhost:3000', providerOrigin: 'http://localhost:3001' }],
  ['https', { baseURL: 'https://app.example', providerOrigin: 'https://tenant.eu.auth0.com' }],
] as const;

describe('securityHeaders', () => {
  it.each(sites)('sends exactly what helmet itself sends, in the same order (%s)', (_scheme, options) => {
    const fast = run(securityHeaders(options));
    const nonce = fast.locals.cspNonce;
    const helmetItself = run(helmet(securityHeaderPolicy(options)), { cspNonce: nonce });
    expect(fast.getHeaderNames()).toEqual(helmetItself.getHeaderNames());
    expect(fast.getHeaders()).toEqual(helmetItself.getHeaders());
    expect(fast.getHeader('content-security-policy')).toContain(`'nonce-${nonce}'`);
  });

  it('puts a fresh nonce in every response, the one the views read', () => {
    const handler = securityHeaders(sites[0][1]);
    const [first, second] = [run(handler), run(handler)];
    expect(first.locals.cspNonce).toMatch(/^[\w+/]{22}==$/);
    expect(second.locals.cspNonce).not.toBe(first.locals.cspNonce);
    for (const res of [first, second]) {
      expect(String(res.getHeader('content-security-policy')).match(/'nonce-[^']*'/g)).toEqual([
        `'nonce-${res.locals.cspNonce}'`,
      ]);
    }
  });
});

describe('recordHeaders', () => {
  const withNonce: RequestHandler = (_req, res, next) => {
    res.setHeader('Content-Security-Policy', `script-src 'nonce-${res.locals.cspNonce}'`);
    next();
  };

  it('refuses, at start-up, a middleware whose headers depend on the request', () => {
    const perHost: RequestHandler = (req, res, next) => {
      res.setHeader('Content-Security-Policy', `script-src ${String(req.headers.host)} 'nonce-${res.locals.cspNonce}'`);
      next();
    };
    expect(() => recordHeaders(perHost)).toThrow(/reads req\.headers/);
  });

  it('refuses a middleware that fails, does not finish at once, or never uses the nonce', () => {
    expect(() => recordHeaders((_req, _res, next) => next(new Error('bad directive')))).toThrow(
      /failed: bad directive/,
    );
    expect(() => recordHeaders((_req, _res, next) => void setImmediate(next))).toThrow(/did not finish synchronously/);
    const noNonce: RequestHandler = (_req, res, next) => {
      res.setHeader('X-Frame-Options', 'DENY');
      next();
    };
    expect(() => recordHeaders(noNonce)).toThrow(/no header carries/);
  });

  it('replays the headers with the given nonce wherever the middleware put its own', () => {
    const setHeaders = recordHeaders(withNonce);
    const { res } = blankResponse();
    setHeaders(res, 'abc123');
    expect(res.getHeader('content-security-policy')).toBe("script-src 'nonce-abc123'");
  });
});
