import cookie from 'cookie';
import type { Request, Response } from 'express';

export interface SessionCookie {
  /** The session cookie's value, as express-openid-connect would read it (the first of that name). */
  read(req: Request): string | undefined;
  /** Sends the cookie with the session's expiry: the browser forgets it when the session ends. */
  set(res: Response, id: string, expiresAtSeconds: number): void;
  clear(res: Response): void;
  /**
   * Removes the session cookie from the request, for express-openid-connect: the library only
   * starts sign-ins and stores new sessions; it must never load, rewrite or delete an existing one
   * (sessions/load-session.ts does that).
   */
  hideFrom(req: Request): void;
}

/**
 * The session cookie, with the attributes express-openid-connect gives it: HttpOnly,
 * SameSite=Lax, Path=/, Secure under https (where the name carries the `__Host-` prefix).
 */
export function sessionCookie(name: string, { secure }: { secure: boolean }): SessionCookie {
  const attributes = { httpOnly: true, sameSite: 'lax', secure, path: '/' } as const;
  // Also the library's chunked form (`session.0`, `session.1`...), which it would read instead.
  const ownPair = (pair: string) => {
    const pairName = pair.split('=')[0]?.trim() ?? '';
    return pairName === name || (pairName.startsWith(`${name}.`) && /^\d+$/.test(pairName.slice(name.length + 1)));
  };
  return {
    read(req) {
      const header = req.headers.cookie;
      if (!header?.includes(`${name}=`)) return undefined;
      return cookie.parse(header)[name];
    },
    set(res, id, expiresAtSeconds) {
      res.cookie(name, id, { ...attributes, expires: new Date(expiresAtSeconds * 1000) });
    },
    clear(res) {
      res.clearCookie(name, attributes);
    },
    hideFrom(req) {
      const header = req.headers.cookie;
      if (!header?.includes(name)) return;
      req.headers.cookie = header
        .split(';')
        .filter((pair) => !ownPair(pair))
        .join(';');
    },
  };
}
