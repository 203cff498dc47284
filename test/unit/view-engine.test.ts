import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ejsEngine } from '../../src/view-engine.js';

describe('ejsEngine', () => {
  const views = mkdtempSync(join(tmpdir(), 'views-'));
  mkdirSync(join(views, 'partials'));
  afterAll(() => rmSync(views, { recursive: true, force: true }));

  function render(engine: ReturnType<typeof ejsEngine>, page: string, data: object = {}): Promise<string> {
    return new Promise((resolve, reject) => {
      engine(join(views, page), data, (error, html) => (error ? reject(error) : resolve(html ?? '')));
    });
  }

  it('resolves includes from the views root and escapes values', async () => {
    writeFileSync(join(views, 'partials', 'hello.ejs'), 'Hello <%= name %>');
    writeFileSync(join(views, 'root.ejs'), "<%- include('/partials/hello', { name }) %>!");
    expect(await render(ejsEngine(views, { cache: false }), 'root.ejs', { name: '<b>' })).toBe('Hello &lt;b&gt;!');
  });

  it('with the cache on (production), keeps serving the compiled template', async () => {
    const engine = ejsEngine(views, { cache: true });
    writeFileSync(join(views, 'cached.ejs'), 'first');
    expect(await render(engine, 'cached.ejs')).toBe('first');
    writeFileSync(join(views, 'cached.ejs'), 'second');
    expect(await render(engine, 'cached.ejs')).toBe('first');
  });

  it('with the cache off (development), shows edits at once', async () => {
    const engine = ejsEngine(views, { cache: false });
    writeFileSync(join(views, 'fresh.ejs'), 'first');
    expect(await render(engine, 'fresh.ejs')).toBe('first');
    writeFileSync(join(views, 'fresh.ejs'), 'second');
    expect(await render(engine, 'fresh.ejs')).toBe('second');
  });
});
