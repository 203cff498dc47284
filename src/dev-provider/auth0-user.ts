import { avatarUrl, type DemoUser } from './demo-users.js';
import type { UserMetadata } from './user-metadata.js';

/** The user as Auth0's `GET /api/v2/users/{id}` returns it; `user_metadata` only once something was stored. */
export function auth0User(user: DemoUser, issuer: string, metadata: UserMetadata | undefined): Record<string, unknown> {
  const picture = avatarUrl(user, issuer);
  const { sub, email, email_verified, name, nickname, given_name, family_name } = user;
  return {
    user_id: sub,
    email,
    email_verified,
    name,
    nickname,
    given_name,
    family_name,
    ...(picture ? { picture } : {}),
    created_at: '2023-11-14T22:13:20.000Z',
    updated_at: '2023-11-14T22:13:20.000Z',
    identities: [
      {
        connection: 'Username-Password-Authentication',
        provider: 'auth0',
        user_id: sub.split('|')[1],
        isSocial: false,
      },
    ],
    ...(metadata ? { user_metadata: metadata } : {}),
  };
}
