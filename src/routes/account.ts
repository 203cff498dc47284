import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { CurrentSession, UserSettings } from '../sessions/index.js';
import type { ManagementApi } from '../sign-in/management-api.js';
import { readAccountForm, timeZones, PREFERRED_NAME_MAX, type AccountForm } from './account-form.js';

interface Options {
  session: CurrentSession;
  /** Undefined when AUDIENCE is not the provider's Management API: the page then says how to set it up. */
  managementApi?: ManagementApi;
  logger: Logger;
}

function userIdOf(res: Parameters<RequestHandler>[1]): string {
  const userId = res.locals.user?.user_id;
  // requireSignIn ran first.
  if (userId === undefined) throw new Error('unreachable: /account without a signed-in user');
  return userId;
}

function render(res: Parameters<RequestHandler>[1], form: Omit<AccountForm, 'change'>, saved = false) {
  res.render('pages/account', { form, saved, timeZones, preferredNameMax: PREFERRED_NAME_MAX, configured: true });
}

/** Keeps the session's copy of the settings (what the header and /sessions show) as the API last said. */
async function remember(session: CurrentSession, req: Parameters<RequestHandler>[0], settings: UserSettings) {
  const known = session.read(req)?.settings;
  if (known?.preferredName === settings.preferredName && known?.timeZone === settings.timeZone) return;
  await session.update(req, { settings });
}

/** GET /account: the user's settings, read from their `user_metadata` with their own access token. */
export function accountPage({ session, managementApi }: Options): RequestHandler {
  return async (req, res) => {
    if (!managementApi) {
      res.render('pages/account', { configured: false });
      return;
    }
    const settings = await managementApi.readSettings(await req.accessToken(), userIdOf(res));
    await remember(session, req, settings);
    const values = { preferredName: settings.preferredName ?? '', timeZone: settings.timeZone ?? '' };
    render(res, { values, errors: {} }, req.query.saved === '1');
  };
}

/**
 * POST /account: checks the form (a 400 with each message beside its field, the values kept),
 * saves it through the API, and answers with a redirect (so a reload does not post again).
 */
export function saveAccount({ session, managementApi, logger }: Options): RequestHandler {
  return async (req, res) => {
    if (!managementApi) {
      res.status(404);
      res.render('pages/account', { configured: false });
      return;
    }
    const form = readAccountForm(req.body as Record<string, unknown> | undefined);
    if (!form.change) {
      res.status(400);
      render(res, form);
      return;
    }
    const saved = await managementApi.saveSettings(await req.accessToken(), userIdOf(res), form.change);
    await remember(session, req, saved);
    logger.info({ reqId: req.id, event: 'account.settings_saved', user: res.locals.userLogId }, 'settings saved');
    res.redirect(303, '/account?saved=1');
  };
}
