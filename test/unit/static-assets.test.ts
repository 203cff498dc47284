import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { staticAssets } from '../../src/middleware/static-assets.js';

describe('staticAssets', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function folder(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'assets-'));
    dirs.push(dir);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return dir;
  }

  it('gives the same content the same URL', () => {
    expect(staticAssets(folder({ 'a.css': 'x' })).url('a.css')).toBe(
      staticAssets(folder({ 'a.css': 'x' })).url('a.css'),
    );
  });

  it('gives the file a new URL when any file of the folder changes', () => {
    const dir = folder({ 'a.css': 'body{}', 'b.js': '1' });
    const before = staticAssets(dir).url('a.css');
    writeFileSync(join(dir, 'b.js'), '2');
    expect(staticAssets(dir).url('a.css')).not.toBe(before);
  });
});
