import type { Request, RequestHandler, Response } from 'express';
import createError from 'http-errors';
import type { Logger } from 'pino';
import { describeDevice, type CurrentSession, type SessionRegistry } from '../sessions/index.js';
import { userError } from '../errors.js';

interface Options {
  session: CurrentSession;
  sessions: SessionRegistry;
  logger: Logger;
}

/** One formatter per time zone (making one costs far more than using it); the zones are IANA names checked on /account. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** A moment as the page shows it, in the user's time zone (/account): readable text, and the exact time for <time datetime>. */
function stamp(epochMs: number, timeZone: string) {
  return { iso: new Date(epochMs).toISOString(), text: `${formatterFor(timeZone).format(epochMs)} ${timeZone}` };
}

/** Who is asking and which of their sessions this is; requireSignIn ran before, so both exist. */
function caller(session: CurrentSession, req: Request, res: Response) {
  const userId = res.locals.user?.user_id;
  const handle = session.read(req)?.handle;
  if (userId === undefined || handle === undefined) throw createError(401);
  return { userId, handle };
}

/** GET /sessions: the user's active sessions, this one marked, with forms to end the others. */
export function sessionsPage({ session, sessions }: Options): RequestHandler {
  return async (req, res) => {
    const { userId, handle } = caller(session, req, res);
    const listed = await sessions.sessionsOf(userId);
    const ended = Number(req.query.ended);
    const timeZone = res.locals.timeZone ?? 'UTC';
    res.render('pages/sessions', {
      sessions: listed.map((listedSession) => ({
        handle: listedSession.handle,
        current: listedSession.handle === handle,
        ...describeDevice(listedSession.userAgent),
        signedIn: stamp(listedSession.signedInAt, timeZone),
        lastSeen: stamp(listedSession.lastSeenAt, timeZone),
      })),
      ended: Number.isInteger(ended) && ended >= 0 ? ended : undefined,
    });
  };
}

/**
 * POST /sessions/end (one, by handle) and POST /sessions/end-others (all but this one), after the
 * CSRF check. Only this user's sessions can be named; this session is ended by logging out.
 */
export function endSessions({ session, sessions, logger }: Options, which: 'one' | 'others'): RequestHandler {
  return async (req, res) => {
    const { userId, handle } = caller(session, req, res);
    let handles: string[];
    if (which === 'one') {
      const named = (req.body as Record<string, unknown> | undefined)?.session;
      if (typeof named !== 'string' || named === '') throw userError(400, 'Bad request', 'Choose a session to end.');
      if (named === handle) throw userError(400, 'This is your current session', 'To end this session, log out.');
      handles = [named];
    } else {
      handles = (await sessions.sessionsOf(userId))
        .map((listed) => listed.handle)
        .filter((listed) => listed !== handle);
    }
    const ended = await sessions.endSessions(userId, handles);
    logger.info(
      { reqId: req.id, event: 'auth.sessions.ended', user: res.locals.userLogId, ended, which },
      'sessions ended by their user',
    );
    res.redirect(303, `/sessions?ended=${ended}`);
  };
}
