import express, { Router, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type Provider from 'oidc-provider';
import type { Logger } from 'pino';
import { libraryLogger } from '../logger.js';
import { findDemoUserByEmail, demoUsers } from './demo-users.js';

/**
 * Failed password attempts allowed per client address and minute: a small version of Auth0's
 * brute-force protection. Successful sign-ins do not count, so a person who mistypes never hits it.
 */
export const LOGIN_ATTEMPT_LIMIT = { windowMs: 60_000, limit: 10 } as const;

function limitFailedAttempts(logger: Logger): RequestHandler {
  return rateLimit({
    ...LOGIN_ATTEMPT_LIMIT,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    logger: libraryLogger(logger, 'express-rate-limit'),
    handler: (_req, res) => {
      res.status(429).render('error', {
        error: 'too_many_attempts',
        description: 'Too many failed sign-in attempts from your network. Wait a minute, then try again.',
      });
    },
  });
}

/**
 * The development provider's hosted login page: the stand-in for Auth0's Universal Login.
 * oidc-provider hands the browser here (`interactions.url`) and takes it back with the result.
 */
export function devInteractions(provider: Provider, logger: Logger): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 });
  const credentials = demoUsers.map(({ email, password, name }) => ({ email, password, name }));

  router.get('/interaction/:uid', async (req, res) => {
    const details = await provider.interactionDetails(req, res);
    res.render('login', { uid: details.uid, email: '', error: undefined, credentials });
  });

  router.post('/interaction/:uid/login', limitFailedAttempts(logger), form, async (req, res) => {
    const details = await provider.interactionDetails(req, res);
    const { email, password } = req.body as { email?: unknown; password?: unknown };
    const user = typeof email === 'string' ? findDemoUserByEmail(email) : undefined;
    if (!user || password !== user.password) {
      res.status(401).render('login', {
        uid: details.uid,
        email: typeof email === 'string' ? email.slice(0, 200) : '',
        error: 'Wrong email or password.',
        credentials,
      });
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.sub } },
      { mergeWithLastSubmission: false },
    );
  });

  router.get('/interaction/:uid/abort', async (req, res) => {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
      { mergeWithLastSubmission: false },
    );
  });

  return router;
}
