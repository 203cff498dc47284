import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IndexedSessionStore } from '../../src/sessions/indexed-session-store.js';
import { MemorySessionIndex } from '../../src/sessions/stores/memory-session-index.js';
import { MemoryRecordStore } from '../../src/sessions/stores/memory-record-store.js';
import { deriveSecretKeys } from '../../src/sessions/session-keys.js';
import { TestBrowser } from '../support/browser.js';
import { setCookies } from '../support/page-checks.js';
import { providerFaults } from '../support/provider-faults.js';
import { FAILURE_MEMORY_MS } from '../../src/sign-in/provider-metadata.js';
import { signIn } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { eventually } from '../support/wait.js';

/** The app's own store (in memory) with a ping we control: the app's readiness must follow it. */
class StoreWithPing extends IndexedSessionStore {
  answer: () => Promise<void> = () => Promise.resolve();
  constructor() {
    super(new MemoryRecordStore(), new MemorySessionIndex(), {
      keys: deriveSecretKeys(['test-secret-'.padEnd(40, 'x')]),
      lifetime: { idleSeconds: 1800, absoluteSeconds: 3600 },
      maxSessionsPerUser: 50,
      timeoutMs: 500,
    });
  }
  override ping(): Promise<void> {
    return this.answer();
  }
}

const DISCOVERY = '/.well-known/openid-configuration';

describe('GET /healthz', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it('says ok, with nothing else in the body', async () => {
    const response = await new TestBrowser().get(`${stack.appOrigin}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({ status: 'ok' });
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-request-id']).toBeTruthy();
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('never reads, renews or creates a session, even for a signed-in browser', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack.appOrigin);
    expect(browser.cookies(stack.appOrigin).session).toBeTruthy();
    for (const path of ['/healthz', '/readyz']) {
      const response = await browser.get(`${stack.appOrigin}${path}`);
      expect(response.status).toBe(200);
      expect(setCookies(response.headers)).toEqual([]);
    }
  });

  it('answers without a login redirect, also for HEAD', async () => {
    const browser = new TestBrowser();
    expect((await browser.get(`${stack.appOrigin}/readyz`)).status).toBe(200);
    const head = await fetch(`${stack.appOrigin}/healthz`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});

describe('GET /readyz', () => {
  let stack: TestStack;
  const faults = providerFaults();
  const store = new StoreWithPing();
  beforeAll(async () => {
    // Broken from the very start, so no discovery document is cached yet.
    faults.set(DISCOVERY, { kind: 'drop' });
    stack = await startTestStack({ providerMiddleware: [faults.middleware], store });
  });
  afterEach(() => {
    faults.clear();
    store.answer = () => Promise.resolve();
  });
  afterAll(() => stack.close());

  const readyz = () => new TestBrowser().get(`${stack.appOrigin}/readyz`);

  it('is not ready while the provider cannot be reached, and says only which check fails', async () => {
    const response = await readyz();
    expect(response.status).toBe(503);
    expect(response.body).toEqual({ status: 'not ready', checks: { provider: 'failing', sessionStore: 'ok' } });
    expect(response.text).not.toMatch(/127\.0\.0\.1|localhost|fetch failed|ECONN|\d+\.\d+\.\d+/);
  });

  it('remembers the failure for a few seconds, then becomes ready once the provider answers, with no restart, and stays ready from the cache', async () => {
    faults.clear();
    const attempts = stack.providerRequests.filter((path) => path === DISCOVERY).length;
    // Within FAILURE_MEMORY_MS of the failure: answered from memory, nothing sent to the provider.
    expect((await readyz()).status).toBe(503);
    expect(stack.providerRequests.filter((path) => path === DISCOVERY).length).toBe(attempts);
    await eventually(async () => (await readyz()).status === 200, FAILURE_MEMORY_MS + 3000, 'readiness');
    const ready = await readyz();
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { provider: 'ok', sessionStore: 'ok' } });
    const discoveries = stack.providerRequests.filter((path) => path === DISCOVERY).length;
    await readyz();
    await readyz();
    expect(stack.providerRequests.filter((path) => path === DISCOVERY).length).toBe(discoveries);
  });

  it('is not ready while the session store fails to answer', async () => {
    store.answer = () => Promise.reject(new Error('connection refused'));
    const response = await readyz();
    expect(response.status).toBe(503);
    expect(response.body).toEqual({ status: 'not ready', checks: { provider: 'ok', sessionStore: 'failing' } });
  });

  it('answers within a second even when the session store hangs', async () => {
    store.answer = () => new Promise(() => undefined);
    const startedAt = Date.now();
    const response = await readyz();
    expect(response.status).toBe(503);
    expect(Date.now() - startedAt).toBeLessThan(1000);
  });

  it('logs a change of readiness once, not on every probe', async () => {
    expect((await readyz()).status).toBe(200);
    const before = stack.logs.lines().length;
    store.answer = () => Promise.reject(new Error('store unreachable for the log'));
    await readyz();
    await readyz();
    await readyz();
    store.answer = () => Promise.resolve();
    await readyz();
    await readyz();
    const events = stack.logs
      .lines()
      .slice(before)
      .filter((line) => typeof line.event === 'string' && line.event.startsWith('readiness.'));
    expect(events.map((line) => line.event)).toEqual(['readiness.not_ready', 'readiness.ready']);
    expect(JSON.stringify(events[0])).toContain('store unreachable for the log');
  });

  it('answers 503 "stopping" as soon as shutdown begins', async () => {
    expect((await readyz()).status).toBe(200);
    stack.lifecycle.beginStopping();
    const response = await readyz();
    expect(response.status).toBe(503);
    expect(response.body).toEqual({ status: 'stopping' });
    expect((await new TestBrowser().get(`${stack.appOrigin}/healthz`)).status).toBe(200);
  });
});
