import { promisify } from 'node:util';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { currentSession } from '../../src/sessions/current-session.js';
import { MemorySessionIndex } from '../../src/sessions/stores/memory-session-index.js';
import { MemoryRecordStore } from '../../src/sessions/stores/memory-record-store.js';
import { sessionCookie } from '../../src/sessions/session-cookie.js';
import type { Callback, ExpressSessionStore, StoredSession } from '../../src/sessions/session-data.js';
import type { SessionStore } from '../../src/sessions/session-registry.js';
import { assembleSessionStore } from '../../src/sessions/create-session-store.js';
import { loadConfig } from '../../src/config.js';
import { loadSession } from '../../src/sessions/load-session.js';
import { captureLogs } from '../support/logs.js';
import { describeError } from '../../src/middleware/describe-error.js';

const IDLE = 600;
const ABSOLUTE = 3600;
const now = () => Math.floor(Date.now() / 1000);

/** The app's in-memory store, counting what reaches it, and able to fail on demand. */
class WatchedStore implements ExpressSessionStore {
  calls: string[] = [];
  failing: 'get' | 'set' | undefined;
  constructor(private readonly inner: SessionStore) {}
  get(sid: string, callback: Callback<StoredSession | null>): void {
    this.calls.push(`get ${sid}`);
    if (this.failing === 'get') callback(new Error('store down'));
    else this.inner.get(sid, callback);
  }
  set(sid: string, session: StoredSession, callback?: Callback): void {
    this.calls.push(`set ${sid}`);
    if (this.failing === 'set') callback?.(new Error('store down'));
    else this.inner.set(sid, session, callback);
  }
  destroy(sid: string, callback?: Callback): void {
    this.calls.push(`destroy ${sid}`);
    this.inner.destroy(sid, callback);
  }
  /** Writes a session without counting it. */
  put(sid: string, session: StoredSession): Promise<void> {
    return promisify(this.inner.set.bind(this.inner))(sid, session);
  }
  read(sid: string): Promise<StoredSession | null | undefined> {
    return new Promise((resolve) => {
      this.inner.get(sid, (_error, stored) => resolve(stored));
    });
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('loadSession', () => {
  const config = loadConfig({
    NODE_ENV: 'test',
    SECRET: 's'.repeat(32),
    SESSION_IDLE_TIMEOUT: String(IDLE),
    SESSION_ABSOLUTE_TIMEOUT: String(ABSOLUTE),
  });
  const inner = assembleSessionStore(
    { records: new MemoryRecordStore(), index: new MemorySessionIndex() },
    config,
    captureLogs().logger,
  );
  const store = new WatchedStore(inner);
  const signer = inner.ids;
  const cookie = sessionCookie('session', { secure: false });
  const session = currentSession({ store, cookie });
  const logs = captureLogs();
  const app = express();
  app.use(
    loadSession({
      store,
      cookie,
      signer,
      lifetime: { idleSeconds: IDLE, absoluteSeconds: ABSOLUTE },
      logger: logs.logger,
    }),
  );
  app.get('/', (req, res) => {
    res.json({ data: session.read(req) ?? null });
  });
  app.post('/end', async (req, res) => {
    await session.end(req, res);
    res.json({ ended: true });
  });
  // As the app's error page does: the status its typed errors map to.
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const { status } = describeError(error);
    res.status(status).json({ status, sessionUnavailable: res.locals.sessionUnavailable });
  });
  afterAll(() => store.close());

  beforeEach(() => {
    store.calls = [];
    store.failing = undefined;
  });

  async function stored(
    header: Partial<StoredSession['header']> = {},
    data: StoredSession['data'] = { id_token: 'token', csrfToken: 'csrf' },
  ): Promise<string> {
    const id = signer.generate();
    const fullHeader = { iat: now() - 10, uat: now() - 10, exp: now() + IDLE - 10, ...header };
    await store.put(id, { header: fullHeader, data, cookie: { expires: (now() + 3600) * 1000, maxAge: 3_600_000 } });
    return id;
  }

  const sessionSetCookies = (response: request.Response) =>
    ([] as string[])
      .concat((response.headers['set-cookie'] as string[] | undefined) ?? [])
      .filter((line) => line.startsWith('session='));

  it('never touches the store for a request without a session cookie', async () => {
    const response = await request(app).get('/').set('cookie', 'theme=dark');
    expect(response.body).toEqual({ data: null });
    expect(store.calls).toEqual([]);
    expect(sessionSetCookies(response)).toEqual([]);
  });

  it('forgets a cookie whose signature fails without looking it up, and tells the browser to drop it', async () => {
    const id = await stored();
    const forged = `${'0'.repeat(32)}${id.slice(32)}`;
    const response = await request(app).get('/').set('cookie', `session=${forged}`);
    expect(response.body).toEqual({ data: null });
    expect(store.calls).toEqual([]);
    expect(sessionSetCookies(response)).toEqual([
      expect.stringMatching(/^session=; Path=\/; Expires=Thu, 01 Jan 1970/),
    ]);
  });

  it('loads a live session with one read and no write or cookie while its last use is recent', async () => {
    const id = await stored();
    const response = await request(app).get('/').set('cookie', `session=${id}`);
    expect(response.body).toEqual({ data: { id_token: 'token', csrfToken: 'csrf' } });
    expect(store.calls).toEqual([`get ${id}`]);
    expect(sessionSetCookies(response)).toEqual([]);
  });

  it('records the use of a session last used a minute ago or more, with a new expiry in the store and the cookie', async () => {
    const id = await stored({ uat: now() - 60 });
    const response = await request(app).get('/').set('cookie', `session=${id}`);
    expect(store.calls).toEqual([`get ${id}`, `set ${id}`]);
    const after = await store.read(id);
    expect(after?.header.uat).toBeGreaterThanOrEqual(now() - 1);
    expect(after?.header.exp).toBe((after?.header.uat ?? 0) + IDLE);
    const [sent] = sessionSetCookies(response);
    expect(sent).toMatch(new RegExp(`^session=${id.replace('.', '\\.')}; Path=/; Expires=.*; HttpOnly; SameSite=Lax$`));
    expect(new Date(/Expires=([^;]+)/.exec(sent ?? '')?.[1] ?? '').getTime()).toBe((after?.header.exp ?? 0) * 1000);
  });

  it('never lets the absolute timeout move: the new expiry is capped by it', async () => {
    const iat = now() - ABSOLUTE + 100;
    const id = await stored({ iat, uat: now() - 60 });
    await request(app).get('/').set('cookie', `session=${id}`);
    expect((await store.read(id))?.header.exp).toBe(iat + ABSOLUTE);
  });

  it.each([
    ['idle for longer than the idle timeout', { uat: now() - IDLE - 1 }, undefined],
    ['older than the absolute timeout', { iat: now() - ABSOLUTE - 1, uat: now() - 5 }, undefined],
    ['past its stored expiry', { exp: now() - 1 }, undefined],
    ["past the provider's session_expiry (less 30 s for clock skew)", {}, now() + 20],
  ])('ends a session %s: deleted, cookie cleared, signed out', async (_case, header, sessionExpiresAt) => {
    const id = await stored(header, { id_token: 'token', ...(sessionExpiresAt ? { sessionExpiresAt } : {}) });
    const response = await request(app).get('/').set('cookie', `session=${id}`);
    expect(response.body).toEqual({ data: null });
    expect(store.calls).toEqual([`get ${id}`, `destroy ${id}`]);
    expect(await store.read(id)).toBeNull();
    expect(sessionSetCookies(response)).toEqual([expect.stringMatching(/^session=;/)]);
  });

  it('keeps a session whose provider session_expiry is still ahead', async () => {
    const id = await stored({}, { id_token: 'token', sessionExpiresAt: now() + 120 });
    expect((await request(app).get('/').set('cookie', `session=${id}`)).body).toEqual({
      data: { id_token: 'token', sessionExpiresAt: now() + 120 },
    });
  });

  it('signs out a cookie whose session is gone or malformed', async () => {
    const gone = signer.generate();
    const missing = await request(app).get('/').set('cookie', `session=${gone}`);
    expect(missing.body).toEqual({ data: null });
    expect(sessionSetCookies(missing)).toEqual([expect.stringMatching(/^session=;/)]);

    const malformed = signer.generate();
    await store.put(malformed, {
      header: { iat: 'soon' },
      data: {},
      cookie: { expires: Date.now() + 60_000, maxAge: 60_000 },
    } as unknown as StoredSession);
    const bad = await request(app).get('/').set('cookie', `session=${malformed}`);
    expect(bad.body).toEqual({ data: null });
    expect(await store.read(malformed)).toBeNull();
  });

  it('answers 503 when the store cannot be read, leaving the session and the cookie alone', async () => {
    const id = await stored();
    store.failing = 'get';
    const response = await request(app).get('/').set('cookie', `session=${id}`);
    expect(response.status).toBe(503);
    expect(response.body).toEqual({ status: 503, sessionUnavailable: true });
    expect(sessionSetCookies(response)).toEqual([]);
    store.failing = undefined;
    expect(await store.read(id)).not.toBeNull();
  });

  it('still serves the request when recording its use fails, without extending the cookie, and logs it', async () => {
    const id = await stored({ uat: now() - 120 });
    store.failing = 'set';
    const response = await request(app).get('/').set('cookie', `session=${id}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { id_token: 'token', csrfToken: 'csrf' } });
    expect(sessionSetCookies(response)).toEqual([]);
    expect(logs.lines().some((line) => line.msg === 'could not record session use' && line.level === 40)).toBe(true);
  });

  it('ends the current session on demand: deleted from the store before the answer, cookie cleared', async () => {
    const id = await stored();
    const response = await request(app).post('/end').set('cookie', `session=${id}`);
    expect(response.body).toEqual({ ended: true });
    expect(await store.read(id)).toBeNull();
    expect(sessionSetCookies(response)).toEqual([expect.stringMatching(/^session=;/)]);
  });
});
