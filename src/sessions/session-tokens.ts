import type { SessionRecords } from './session-records.js';
import type { SessionTokens, StoredSession } from './session-data.js';
import { epochSeconds } from './session-lifetime.js';

/** Where a session's refreshed tokens live: beside its record, under a name no record key can have. */
export const tokensKeyOf = (sessionKey: string) => `tokens.${sessionKey}`;

/**
 * A session's refreshed tokens as a sealed record (the same sealing as sessions: session-seal.ts),
 * so Redis, a replica or a backup never holds a usable token.
 */
export function sessionTokenRecords(records: SessionRecords) {
  return {
    async read(sessionKey: string): Promise<SessionTokens | undefined> {
      const record = await records.read(tokensKeyOf(sessionKey));
      const { access_token: accessToken, expires_at: expiresAt, refresh_token: refreshToken } = record?.data ?? {};
      if (typeof accessToken !== 'string' || typeof expiresAt !== 'number') return undefined;
      return { accessToken, expiresAt, refreshToken, permissions: record?.data.permissions };
    },

    /** Kept until `untilMs` (epoch ms): no longer than the session itself may live. */
    write(sessionKey: string, tokens: SessionTokens, untilMs: number): Promise<void> {
      const now = epochSeconds();
      const record: StoredSession = {
        header: { iat: now, uat: now, exp: epochSeconds(untilMs) },
        data: {
          access_token: tokens.accessToken,
          expires_at: tokens.expiresAt,
          refresh_token: tokens.refreshToken,
          token_type: 'Bearer',
          permissions: tokens.permissions,
        },
        cookie: { expires: untilMs, maxAge: untilMs - Date.now() },
      };
      return records.write(tokensKeyOf(sessionKey), record);
    },

    remove: (sessionKey: string) => records.remove(tokensKeyOf(sessionKey)),
  };
}
