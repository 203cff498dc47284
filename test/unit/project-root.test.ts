import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/project-root.js';

describe('projectRoot', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const layout = (files: string[]) => {
    const root = mkdtempSync(join(tmpdir(), 'project-root-'));
    made.push(root);
    for (const file of files) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      if (file.endsWith('/')) mkdirSync(join(root, file), { recursive: true });
      else writeFileSync(join(root, file), '{}');
    }
    return root;
  };
  const from = (root: string, module: string) => pathToFileURL(join(root, module)).href;

  it('finds the folder with package.json and views/ from src/, dist/ and dist/chunks/', () => {
    const root = layout(['package.json', 'views/', 'src/dev-provider/', 'dist/chunks/']);
    expect(projectRoot(from(root, 'src/app.ts'))).toBe(root);
    expect(projectRoot(from(root, 'src/dev-provider/files.ts'))).toBe(root);
    expect(projectRoot(from(root, 'dist/server.js'))).toBe(root);
    expect(projectRoot(from(root, 'dist/chunks/chunk-A.js'))).toBe(root);
  });

  it('passes over a package.json of dist/ alone (a deployment that marks it as ES modules)', () => {
    const root = layout(['package.json', 'views/', 'dist/package.json', 'dist/chunks/']);
    expect(projectRoot(from(root, 'dist/chunks/chunk-A.js'))).toBe(root);
  });

  it('fails, naming what it looked for, when no such folder is near', () => {
    const root = layout(['a/b/c/d/e/']);
    expect(() => projectRoot(from(root, 'a/b/c/d/e/x.js'))).toThrow(/package\.json and views\//);
  });
});
