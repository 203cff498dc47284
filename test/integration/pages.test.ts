import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { leaksIn } from '../support/page-checks.js';
import { signIn } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

describe('pages', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      // A provider whose user carries markup in a claim: it must render as text.
      providerMiddleware: [
        async (ctx, next) => {
          await next();
          if (ctx.oidc?.route === 'userinfo' && ctx.body && typeof ctx.body === 'object') {
            Object.assign(ctx.body, { nickname: '<script>alert("claim")</script>' });
          }
        },
      ],
    });
  });
  afterAll(() => stack.close());

  it('GET / shows Log in to a visitor', async () => {
    const page = await new TestBrowser().get(`${stack.appOrigin}/`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<a class="button" href="/login">Log in</a>');
    expect(page.text).not.toContain('Log out');
  });

  it('escapes claims on the profile page', async () => {
    const { landing } = await signIn(new TestBrowser(), stack.appOrigin, undefined, '/profile');
    expect(landing.status).toBe(200);
    expect(landing.text).not.toContain('<script>alert');
    expect(landing.text).toContain(
      '&#34;nickname&#34;: &#34;&lt;script&gt;alert(\\&#34;claim\\&#34;)&lt;/script&gt;&#34;',
    );
  });

  describe('an unknown address', () => {
    it('gets the 404 page with the request id', async () => {
      const page = await new TestBrowser().get(`${stack.appOrigin}/no/such/page`, { 'x-request-id': 'trace-404-abc' });
      expect(page.status).toBe(404);
      expect(page.text).toContain('Page not found');
      expect(page.text).toContain('Request id: <code>trace-404-abc</code>');
      expect(page.headers['x-request-id']).toBe('trace-404-abc');
    });

    it('gets JSON when the client asks for JSON', async () => {
      const response = await new TestBrowser().get(`${stack.appOrigin}/nope`, { accept: 'application/json' });
      expect(response.status).toBe(404);
      const { error } = response.body as { error: Record<string, unknown> };
      expect(error).toEqual({
        status: 404,
        title: 'Page not found',
        message: 'There is no page at this address.',
        requestId: response.headers['x-request-id'],
      });
    });

    it('ignores an unreasonable incoming request id', async () => {
      const page = await new TestBrowser().get(`${stack.appOrigin}/nope`, { 'x-request-id': '<script>x</script>' });
      expect(page.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(page.text).not.toContain('<script>x');
    });
  });

  it('answers an oversized form with 413 and no library text', async () => {
    const response = await new TestBrowser().post(`${stack.appOrigin}/logout`, { _csrf: 'x'.repeat(10_000) });
    expect(response.status).toBe(413);
    expect(response.text).toContain('Request too large');
    expect(leaksIn(response.text)).toEqual([]);
  });
});
