import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createSessionStore, storeAnswers, type SessionStore } from '../src/sessions/index.js';
type StoredSession = Parameters<SessionStore['set']>[1];

export interface SeedFigures {
  /** Sessions written (fewer than asked when the time bound was reached). */
  sessions: number;
  seconds: number;
}

interface SeedOptions {
  count: number;
  /** Writes in flight at once. */
  concurrency: number;
  /** Hard stop (epoch ms). */
  deadline: number;
}

const read = (store: SessionStore, id: string) => promisify(store.get.bind(store))(id);
const write = (store: SessionStore, id: string, record: StoredSession) => promisify(store.set.bind(store))(id, record);

/**
 * Fills the app's storage with `count` live sessions of distinct users, without logging anyone in:
 * the app's own session store (createSessionStore, with the app's SECRET and REDIS_URL, so each
 * record is sealed, keyed and indexed exactly as a sign-in would store it) writes a copy of the
 * real session behind `cookie` for each, under a fresh signed id with its own user id, provider
 * session id and handle. Nobody holds those ids: the load keeps using the real cookie, and the
 * copies are there to be many.
 */
export async function seedSessions(
  appEnv: Record<string, string>,
  cookie: string,
  { count, concurrency, deadline }: SeedOptions,
): Promise<SeedFigures> {
  const store = await createSessionStore(loadConfig(appEnv), createLogger({ level: 'warn' }));
  try {
    if (!(await storeAnswers(store, 5000))) throw new Error('the session store did not answer within 5 s');
    const real = await read(store, cookie.slice(cookie.indexOf('=') + 1));
    if (!real?.data.userinfo) throw new Error('the real session to copy was not found in the store');
    const { userinfo } = real.data;
    let next = 0;
    let written = 0;
    const begin = performance.now();
    const worker = async () => {
      while (next < count && Date.now() < deadline) {
        const n = next;
        next += 1;
        await write(store, store.ids.generate(), {
          ...real,
          data: {
            ...real.data,
            userinfo: { ...userinfo, sub: `bench-seed|${n}` },
            sid: `bench-seed-${n}`,
            handle: `seed${n}`,
          },
        });
        written += 1;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { sessions: written, seconds: (performance.now() - begin) / 1000 };
  } finally {
    await store.close();
  }
}
