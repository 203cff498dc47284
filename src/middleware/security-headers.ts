import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { createRandomTokens } from '../random-token.js';

interface Options {
  baseURL: string;
  /** Origin of the OpenID Provider: the logout form's POST redirects there, so form-action must allow it. */
  providerOrigin: string;
}

/**
 * Helmet with a strict, nonce-based Content-Security-Policy. Avatars come from many https hosts
 * (Gravatar, Google, GitHub...), so images may load from any https origin, and from the provider
 * itself (the development provider serves its avatars over http on loopback).
 */
export function securityHeaders({ baseURL, providerOrigin }: Options): RequestHandler[] {
  const https = baseURL.startsWith('https:');
  const randomToken = createRandomTokens();
  const nonce: RequestHandler = (_req, res, next) => {
    res.locals.cspNonce = randomToken(16);
    next();
  };
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", (_req, res) => `'nonce-${(res as unknown as { locals: { cspNonce: string } }).locals.cspNonce}'`],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'https:', 'data:', providerOrigin],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'", providerOrigin],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    strictTransportSecurity: https ? { maxAge: 63_072_000, includeSubDomains: true } : false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  return [nonce, headers];
}

/** Dynamic pages may show personal data: no browser or proxy may keep a copy. */
export function noStore(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}
