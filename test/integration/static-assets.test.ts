import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

describe('static assets', () => {
  let stack: TestStack;
  let stylesheet: string;
  beforeAll(async () => {
    stack = await startTestStack();
    const home = await new TestBrowser().get(`${stack.appOrigin}/`);
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(home.text)?.[1];
    if (!href) throw new Error('the home page links no stylesheet');
    stylesheet = href;
  });
  afterAll(() => stack.close());

  it('links the stylesheet under a URL that carries a hash of the content', () => {
    expect(stylesheet).toMatch(/^\/assets\/[0-9a-f]{12}\/styles\.css$/);
  });

  it('serves it for a year, immutable, with an ETag', async () => {
    const css = await new TestBrowser().get(`${stack.appOrigin}${stylesheet}`);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(css.headers.etag).toMatch(/^W\/".+"$/);
    expect(css.headers['x-content-type-options']).toBe('nosniff');
  });

  it('spends no ETag on pages, which nobody may cache', async () => {
    const page = await new TestBrowser().get(`${stack.appOrigin}/`);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers).not.toHaveProperty('etag');
  });

  it('answers a revalidation with 304 Not Modified', async () => {
    const browser = new TestBrowser();
    const first = await browser.get(`${stack.appOrigin}${stylesheet}`);
    const again = await browser.get(`${stack.appOrigin}${stylesheet}`, { 'if-none-match': String(first.headers.etag) });
    expect(again.status).toBe(304);
  });

  it('does not serve another version, nor the unversioned path, and lets nobody cache the 404', async () => {
    for (const path of [stylesheet.replace(/\/assets\/[0-9a-f]{12}\//, '/assets/000000000000/'), '/styles.css']) {
      const response = await new TestBrowser().get(`${stack.appOrigin}${path}`);
      expect(response.status).toBe(404);
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });
});
