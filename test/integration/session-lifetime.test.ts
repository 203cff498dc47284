import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredSession } from '../../src/sessions/session-data.js';
import { TestBrowser } from '../support/browser.js';
import { signIn } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

/**
 * Time is moved by ageing the stored session's own timestamps (the ones the library checks),
 * not with fake timers, so the real middleware decides.
 */
describe('session lifetime', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ env: { SESSION_IDLE_TIMEOUT: '600', SESSION_ABSOLUTE_TIMEOUT: '3600' } });
  });
  afterAll(() => stack.close());

  async function signedInSession(): Promise<{ browser: TestBrowser; id: string }> {
    const browser = new TestBrowser();
    await signIn(browser, stack.appOrigin);
    const id = browser.cookies(stack.appOrigin).session;
    if (!id) throw new Error('no session cookie');
    return { browser, id };
  }

  function age(id: string, change: (header: StoredSession['header']) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      stack.store.get(id, (error, stored) => {
        if (error || !stored) {
          reject(new Error(`session ${id} not found`));
          return;
        }
        change(stored.header);
        stack.store.set(id, stored, () => resolve());
      });
    });
  }

  const now = () => Math.floor(Date.now() / 1000);

  it('keeps an active session alive and within the idle timeout', async () => {
    const { browser, id } = await signedInSession();
    await age(id, (header) => (header.uat = now() - 590));
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
  });

  it('ends a session idle for longer than SESSION_IDLE_TIMEOUT', async () => {
    const { browser, id } = await signedInSession();
    await age(id, (header) => (header.uat = now() - 601));
    const page = await browser.get(`${stack.appOrigin}/profile`);
    expect(page.status).toBe(302);
    expect(page.headers.location).toMatch(/\/authorize\?/);
  });

  it('ends a session older than SESSION_ABSOLUTE_TIMEOUT even when it was active', async () => {
    const { browser, id } = await signedInSession();
    await age(id, (header) => {
      header.iat = now() - 3601;
      header.uat = now() - 5;
    });
    const page = await browser.get(`${stack.appOrigin}/profile`);
    expect(page.status).toBe(302);
  });

  it('sets the cookie to expire with the session', async () => {
    const browser = new TestBrowser();
    const { callback } = await signIn(browser, stack.appOrigin);
    const header = (callback.headers['set-cookie'] as unknown as string[]).find((line) => line.startsWith('session='));
    const expires = new Date(/Expires=([^;]+)/.exec(header ?? '')?.[1] ?? '').getTime();
    expect(expires - Date.now()).toBeGreaterThan(590_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(600_000);
  });
});
