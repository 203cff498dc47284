import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySessionIndex } from '../../src/sessions/stores/memory-session-index.js';
import { MemoryRecordStore } from '../../src/sessions/stores/memory-record-store.js';
import type { Callback, SealedRecord } from '../../src/sessions/session-data.js';
import { assembleSessionStore } from '../../src/sessions/create-session-store.js';
import { loadConfig } from '../../src/config.js';
import type { TestBrowser } from '../support/browser.js';
import { captureLogs } from '../support/logs.js';
import { signedInBrowser } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { openedRecords, storageKeyOf } from '../support/stored-session.js';

const IDLE = 600;
const SECRET = 'test-secret-'.padEnd(40, 'x');

/** The default records store, counting the writes that reach it. */
class CountingStore extends MemoryRecordStore {
  readonly writes: string[] = [];
  override set(key: string, record: SealedRecord, callback?: Callback): void {
    this.writes.push(key);
    super.set(key, record, callback);
  }
}

describe('session writes', () => {
  let stack: TestStack;
  // As the production factory builds it for memory, with the records counted underneath.
  const records = new CountingStore();
  const config = loadConfig({ NODE_ENV: 'test', SECRET, SESSION_IDLE_TIMEOUT: String(IDLE) });
  const store = assembleSessionStore({ records, index: new MemorySessionIndex() }, config, captureLogs().logger);
  const opened = openedRecords(records, config.secrets);
  const read = (id: string) => opened.read(id);
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    stack = await startTestStack({ store, env: { SESSION_IDLE_TIMEOUT: String(IDLE), SECRET } });
  });
  afterAll(() => stack.close());

  async function signedIn(): Promise<{ browser: TestBrowser; id: string; csrf: string }> {
    const { browser, cookie, csrf } = await signedInBrowser(stack.appOrigin);
    return { browser, id: storageKeyOf(store, cookie), csrf };
  }

  async function setStoredUat(id: string, uat: number): Promise<void> {
    const stored = await read(id);
    if (!stored) throw new Error(`session ${id} not found`);
    await opened.write(id, { ...stored, header: { ...stored.header, uat } });
  }

  it('neither rewrites the session nor resends its cookie on every page view', async () => {
    const { browser, id } = await signedIn();
    const writesAfterSignIn = records.writes.filter((sid) => sid === id).length;
    for (let i = 0; i < 3; i += 1) {
      const page = await browser.get(`${stack.appOrigin}/profile`);
      expect(page.status).toBe(200);
      expect(page.headers['set-cookie']).toBeUndefined();
    }
    expect(records.writes.filter((sid) => sid === id).length).toBe(writesAfterSignIn);
  });

  it('moves the stored last-use time forward once it is a minute old', async () => {
    const { browser, id } = await signedIn();
    await setStoredUat(id, now() - 61);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    expect((await read(id))?.header.uat).toBeGreaterThanOrEqual(now() - 1);
  });

  it('still ends a session idle for longer than SESSION_IDLE_TIMEOUT, counted from the last write', async () => {
    const { browser, id } = await signedIn();
    await setStoredUat(id, now() - 30);
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    expect((await read(id))?.header.uat).toBeLessThanOrEqual(now() - 30);
    await setStoredUat(id, now() - IDLE - 1);
    const page = await browser.get(`${stack.appOrigin}/profile`);
    expect(page.status).toBe(302);
    expect(page.headers.location).toMatch(/\/authorize\?/);
  });

  it('deletes the stored session at logout, whatever writes were skipped', async () => {
    const { browser, id, csrf } = await signedIn();
    await browser.get(`${stack.appOrigin}/profile`);
    const logout = await browser.post(`${stack.appOrigin}/logout`, { _csrf: csrf }, { origin: stack.appOrigin });
    expect(logout.status).toBe(303);
    expect(await read(id)).toBeNull();
  });
});
