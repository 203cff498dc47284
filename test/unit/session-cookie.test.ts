import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';
import { sessionCookie } from '../../src/sessions/session-cookie.js';

const request = (cookie?: string) => ({ headers: cookie === undefined ? {} : { cookie } }) as unknown as Request;

/** Records what the cookie helper asks Express to send. */
function recordingResponse() {
  const sent: { name: string; value?: string; options: Record<string, unknown> }[] = [];
  const res = {
    cookie: (name: string, value: string, options: Record<string, unknown>) => sent.push({ name, value, options }),
    clearCookie: (name: string, options: Record<string, unknown>) => sent.push({ name, options }),
  } as unknown as Response;
  return { res, sent };
}

describe('sessionCookie', () => {
  const cookie = sessionCookie('session', { secure: false });

  it('reads the first session cookie, as express-openid-connect would, and nothing else', () => {
    expect(cookie.read(request('theme=dark; session=abc.def; session=second'))).toBe('abc.def');
    expect(cookie.read(request('theme=dark; other_session=x'))).toBeUndefined();
    expect(cookie.read(request())).toBeUndefined();
  });

  it('hides every session cookie from the library, chunked ones included, and keeps the others', () => {
    const req = request(
      'theme=dark; session=abc; auth_verification=t; session.0=chunk; session.1=chunk; sessionx=keep; session.x=keep',
    );
    cookie.hideFrom(req);
    expect(req.headers.cookie?.split(';').map((pair) => pair.trim())).toEqual([
      'theme=dark',
      'auth_verification=t',
      'sessionx=keep',
      'session.x=keep',
    ]);
  });

  it('sends the cookie HttpOnly, SameSite=Lax, Path=/, expiring with the session; Secure only when asked', () => {
    const { res, sent } = recordingResponse();
    cookie.set(res, 'id', 1_800_000_000);
    sessionCookie('__Host-session', { secure: true }).set(res, 'id', 1_800_000_000);
    expect(sent[0]).toEqual({
      name: 'session',
      value: 'id',
      options: { httpOnly: true, sameSite: 'lax', secure: false, path: '/', expires: new Date(1_800_000_000_000) },
    });
    expect(sent[1]?.options).toMatchObject({ secure: true, path: '/' });
  });

  it('clears it with the same attributes, or a __Host- cookie could not be cleared', () => {
    const { res, sent } = recordingResponse();
    sessionCookie('__Host-session', { secure: true }).clear(res);
    expect(sent).toEqual([
      { name: '__Host-session', options: { httpOnly: true, sameSite: 'lax', secure: true, path: '/' } },
    ]);
  });
});
