/**
 * Sessions, as the rest of the app sees them: made, loaded per request, ended, listed. Everything
 * else in this folder (ids and their keys, sealing, lifetimes, stores and indexes) is how.
 */
export { createSessionStore, storeAnswers } from './create-session-store.js';
export { currentSession, type CurrentSession, type LoadedSession } from './current-session.js';
export { describeDevice } from './device-label.js';
export { loadSession } from './load-session.js';
export { sessionCookie } from './session-cookie.js';
export type { AppSessionData, ExpressSessionStore, SessionTokens, UserSettings } from './session-data.js';
export type { SessionIdSigner } from './session-id.js';
export { deriveSecretKeys, userLogId } from './session-keys.js';
export type {
  ListedSession,
  ProviderLogout,
  SendRedisCommand,
  SessionRegistry,
  SessionStore,
  SessionTokenStore,
} from './session-registry.js';
export { userinfoSchema, type Userinfo } from './userinfo.js';
