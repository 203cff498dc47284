import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Child } from '../children.js';

/** Access tokens got at sign-in live this long on the refreshed side's provider (provider-child.ts)... */
export const SIGN_IN_TOKEN_SECONDS = 12;
/** ...and are due for a refresh once within REFRESH_MARGIN_SECONDS (10) of expiry: wait past that. */
const DUE_AFTER_MS = 3000;

function logSince(path: string, offset: number): string {
  const size = statSync(path).size;
  const buffer = Buffer.alloc(Math.max(0, size - offset));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}

/**
 * Makes the session behind `cookie` one whose token was refreshed: waits until its sign-in token is
 * due, loads the token page once, and checks in the app's log that this request refreshed it. Later
 * requests use the refreshed token (the process's copy of the session's token record).
 */
export async function refreshOnce(app: Child, cookie: string): Promise<void> {
  const log = app.logPath;
  await sleep(DUE_AFTER_MS);
  const offset = statSync(log).size;
  const response = await fetch(`${app.origin}/profile`, { headers: { cookie }, redirect: 'manual' });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${app.name}: the token page answered ${response.status}`);
  if (!logSince(log, offset).includes('"event":"auth.refresh.success"'))
    throw new Error(`${app.name}: the token page did not refresh the access token`);
}
