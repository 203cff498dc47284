import { describe, expect, it } from 'vitest';
import { initialsOf, parseUserinfo, userProfile } from '../../src/sign-in/user-profile.js';

const toUserProfile = (userinfo: unknown) => userProfile(parseUserinfo(userinfo));

describe('userProfile(parseUserinfo(...))', () => {
  const userinfo = {
    sub: 'auth0|123',
    name: 'Alice Liddell',
    nickname: 'alice',
    email: 'alice@example.com',
    email_verified: true,
    picture: 'https://s.gravatar.com/avatar/abc.png',
    'https://example.com/roles': ['admin'],
  };

  it('keeps user_id, name, email, picture and every claim', () => {
    expect(toUserProfile(userinfo)).toEqual({
      user_id: 'auth0|123',
      name: 'Alice Liddell',
      email: 'alice@example.com',
      email_verified: true,
      picture: 'https://s.gravatar.com/avatar/abc.png',
      initials: 'AL',
      claims: userinfo,
      roles: [],
      permissions: [],
    });
  });

  it('falls back from name to nickname, email, then sub', () => {
    expect(toUserProfile({ sub: 's', nickname: 'nick', email: 'e@x.io' }).name).toBe('nick');
    expect(toUserProfile({ sub: 's', email: 'e@x.io' }).name).toBe('e@x.io');
    expect(toUserProfile({ sub: 'auth0|9' }).name).toBe('auth0|9');
  });

  it('treats a missing email_verified as not verified', () => {
    expect(toUserProfile({ sub: 's', email: 'e@x.io' }).email_verified).toBe(false);
  });

  it.each(['javascript:alert(1)', 'data:image/svg+xml,<svg/>', 'http://evil.example/a.png', 'not a url', ''])(
    'drops the picture %j',
    (picture) => {
      expect(toUserProfile({ sub: 's', picture }).picture).toBeUndefined();
    },
  );

  it('keeps an http picture served from loopback (the development provider)', () => {
    expect(toUserProfile({ sub: 's', picture: 'http://127.0.0.1:4000/assets/avatars/a.svg' }).picture).toBe(
      'http://127.0.0.1:4000/assets/avatars/a.svg',
    );
  });

  it('rejects a response without a sub', () => {
    expect(() => toUserProfile({ name: 'No Sub' })).toThrow();
    expect(() => toUserProfile('not an object')).toThrow();
  });
});

describe('initialsOf', () => {
  it.each([
    ['Alice Liddell', 'AL'],
    ['Jean-Luc Picard', 'JP'],
    ['alice', 'A'],
    ['bob@example.com', 'B'],
    ['Émile Zola', 'ÉZ'],
    ['  ', '?'],
  ])('%j -> %j', (name, initials) => {
    expect(initialsOf(name)).toBe(initials);
  });
});
