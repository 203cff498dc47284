import type { Callback, ExpressSessionStore, StoredSession } from './session-data.js';

/** A callback-style (express-session) record store, seen through promises. */
export interface SessionRecords<Session = StoredSession> {
  read(id: string): Promise<Session | null>;
  write(id: string, record: Session): Promise<void>;
  remove(id: string): Promise<void>;
}

function failure(error: unknown): Error {
  return error instanceof Error ? error : new Error('the session store failed', { cause: error });
}

export function sessionRecords<Session>(store: ExpressSessionStore<Session>): SessionRecords<Session> {
  const run = (operation: (done: Callback) => void) =>
    new Promise<void>((resolve, reject) => {
      operation((error) => {
        if (error === null || error === undefined) resolve();
        else reject(failure(error));
      });
    });
  return {
    read: (id) =>
      new Promise((resolve, reject) => {
        store.get(id, (error, record) => {
          if (error === null || error === undefined) resolve(record ?? null);
          else reject(failure(error));
        });
      }),
    write: (id, record) => run((done) => store.set(id, record, done)),
    remove: (id) => run((done) => store.destroy(id, done)),
  };
}
