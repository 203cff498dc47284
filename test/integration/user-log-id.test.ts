import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deriveSecretKeys, userLogId } from '../../src/sessions/session-keys.js';

const [a, b] = ['a'.repeat(32), 'b'.repeat(32)];
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('npm run user-log-id', () => {
  it('is what npm run user-log-id prints for the SECRET it is given', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/process/user-log-id.ts', 'auth0|alice'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', SECRET: `${a},${b}` },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(userLogId(deriveSecretKeys([a, b]), 'auth0|alice'));
    const usage = spawnSync(process.execPath, ['--import', 'tsx', 'src/process/user-log-id.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
    });
    expect(usage.status).toBe(1);
    expect(usage.stderr).toContain('Usage:');
  });
});
