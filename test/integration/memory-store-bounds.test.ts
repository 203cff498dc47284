import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredSession } from '../../src/sessions/session-data.js';
import { createSessionStore } from '../../src/sessions/create-session-store.js';
import { loadConfig } from '../../src/config.js';
import { SessionLimitReached } from '../../src/errors.js';

const MAX_SESSIONS = 100;
const CYCLES = 1000;

const store = await createSessionStore(
  loadConfig({
    NODE_ENV: 'test',
    SECRET: 'memory-bounds-secret-'.padEnd(40, 'm'),
    MAX_MEMORY_SESSIONS: String(MAX_SESSIONS),
  }),
  pino({ level: 'silent' }),
);

/**
 * The in-memory store is bounded as a whole, not only in live sessions: every ended session leaves
 * an "ended" mark (for as long as the session could have come back), and those count against
 * MAX_MEMORY_SESSIONS too. A stream of sign-ins that each end (logouts, sign-ins past the per-user
 * cap) cannot grow memory without bound: once the marks fill it, new sign-ins are refused until
 * they expire.
 */
describe('the in-memory store under a stream of sign-ins that each end', () => {
  afterAll(() => store.close());

  it('keeps what ended sessions leave behind within MAX_MEMORY_SESSIONS, refusing new sessions once it is reached', async () => {
    const put = promisify(store.set.bind(store));
    const destroy = promisify(store.destroy.bind(store));
    const now = Math.floor(Date.now() / 1000);
    let stored = 0;
    let refused = 0;
    for (let cycle = 0; cycle < CYCLES; cycle += 1) {
      const id = store.ids.generate();
      const session: StoredSession = {
        header: { iat: now, uat: now, exp: now + 1800 },
        data: {
          sid: randomBytes(8).toString('hex'),
          handle: randomBytes(8).toString('hex'),
          signedInAt: Date.now(),
          userinfo: { sub: `user-${cycle}` },
        },
        cookie: { expires: (now + 1800) * 1000, maxAge: 1_800_000 },
      };
      try {
        await put(id, session);
        stored += 1;
      } catch (error) {
        expect(error).toBeInstanceOf(SessionLimitReached);
        refused += 1;
      }
      await destroy(id);
    }
    expect(stored).toBeLessThanOrEqual(MAX_SESSIONS);
    expect(stored).toBeGreaterThan(MAX_SESSIONS / 2);
    expect(refused).toBe(CYCLES - stored);
  });
});
