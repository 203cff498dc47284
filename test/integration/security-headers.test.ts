import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../support/browser.js';
import { signedInBrowser } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { stylesheetPath } from '../support/assets.js';

function cspOf(page: Page): Map<string, string[]> {
  const header = String(page.headers['content-security-policy']);
  return new Map(
    header
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name = '', ...values]) => [name, values]),
  );
}

/** fetch() refuses TRACE, so this one goes through node:http. */
function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
): Promise<{ status?: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('security headers', () => {
  let stack: TestStack;
  let signedIn: TestBrowser;
  beforeAll(async () => {
    stack = await startTestStack();
    ({ browser: signedIn } = await signedInBrowser(stack.appOrigin));
  });
  afterAll(() => stack.close());

  describe('the Content-Security-Policy', () => {
    let home: Page;
    beforeAll(async () => {
      home = await new TestBrowser().get(`${stack.appOrigin}/`);
    });

    it('allows scripts only from this site or with the per-response nonce, and no inline styles', () => {
      const csp = cspOf(home);
      expect(csp.get('default-src')).toEqual(["'self'"]);
      expect(csp.get('script-src')).toEqual(["'self'", expect.stringMatching(/^'nonce-[\w+/=]{22,}'$/)]);
      expect(csp.get('style-src')).toEqual(["'self'"]);
      expect(String(home.headers['content-security-policy'])).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('base-uri')).toEqual(["'none'"]);
    });

    it('forbids framing and lets forms go only here and to the provider', () => {
      const csp = cspOf(home);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('form-action')).toEqual(["'self'", stack.provider.origin]);
    });

    it('still shows avatars from any https host', () => {
      expect(cspOf(home).get('img-src')).toEqual(expect.arrayContaining(["'self'", 'https:']));
    });

    it('uses a new nonce on every response', async () => {
      const again = await new TestBrowser().get(`${stack.appOrigin}/`);
      expect(cspOf(again).get('script-src')?.[1]).not.toBe(cspOf(home).get('script-src')?.[1]);
    });

    it.each(['/', '/profile', '/logout', '/no/such/page'])(
      'is obeyed by %s itself: no inline style, every script carries the nonce',
      async (path) => {
        const page = await signedIn.get(`${stack.appOrigin}${path}`);
        const nonce = /'nonce-([^']+)'/.exec(String(page.headers['content-security-policy']))?.[1];
        expect(page.text).not.toMatch(/\sstyle=|<style/i);
        for (const script of page.text.match(/<script\b[^>]*>/gi) ?? [])
          expect(script).toContain(`nonce="${String(nonce)}"`);
      },
    );
  });

  it.each([
    ['a page', '/'],
    ['a redirect', '/login'],
    ['an error page', '/no/such/page'],
    ['a static file', stylesheetPath()],
  ])('sends nosniff, a strict referrer policy, no framing and no X-Powered-By on %s', async (_kind, path) => {
    const response = await new TestBrowser().get(`${stack.appOrigin}${path}`);
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(response.headers).not.toHaveProperty('x-powered-by');
    // HSTS only means something over https (see https-cookies.test.ts); over http it would be ignored.
    expect(response.headers).not.toHaveProperty('strict-transport-security');
  });

  it.each(['/', '/profile', '/logout', '/no/such/page'])(
    'forbids any cache to keep %s, which may show personal data',
    async (path) => {
      const page = await signedIn.get(`${stack.appOrigin}${path}`);
      expect(page.headers['cache-control']).toBe('no-store');
    },
  );

  it('answers OPTIONS without any CORS permission', async () => {
    const response = await fetch(`${stack.appOrigin}/profile`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('answers TRACE with 404 and does not echo the request', async () => {
    const response = await rawRequest(`${stack.appOrigin}/`, 'TRACE', { 'x-echo-check': 'echo-me' });
    expect(response.status).toBe(404);
    expect(response.body).not.toContain('echo-me');
  });
});
