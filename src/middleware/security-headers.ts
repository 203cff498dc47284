import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { createRandomTokens } from './random-token.js';
import { recordHeaders } from './recorded-headers.js';

interface Options {
  baseURL: string;
  /** Origin of the OpenID Provider: the logout form's POST redirects there, so form-action must allow it. */
  providerOrigin: string;
}

/**
 * The headers every response carries, as helmet options: a strict, nonce-based
 * Content-Security-Policy (the nonce is `res.locals.cspNonce`). Avatars come from many https hosts
 * (Gravatar, Google, GitHub...), so images may load from any https origin, and from the provider
 * itself (the development provider serves its avatars over http on loopback).
 */
export function securityHeaderPolicy({ baseURL, providerOrigin }: Options): HelmetOptions {
  const https = baseURL.startsWith('https:');
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: [
          "'self'",
          (_req, res) => `'nonce-${(res as unknown as { locals: { cspNonce: string } }).locals.cspNonce}'`,
        ],
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
  };
}

/**
 * Exactly the headers helmet sends with `securityHeaderPolicy`, worked out once at start-up (see
 * recordHeaders), with a fresh nonce per response in the CSP and in `res.locals.cspNonce`.
 */
export function securityHeaders(options: Options): RequestHandler {
  const randomToken = createRandomTokens();
  const setHeaders = recordHeaders(helmet(securityHeaderPolicy(options)));
  return (_req, res, next) => {
    const nonce = randomToken(16);
    res.locals.cspNonce = nonce;
    setHeaders(res, nonce);
    next();
  };
}

/** Dynamic pages may show personal data: no browser or proxy may keep a copy. */
export function noStore(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}
