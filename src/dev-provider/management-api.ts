import { STATUS_CODES } from 'node:http';
import express, { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { bearerJwt, type ApiToken, type ApiTokenVerifier } from './api-tokens.js';
import { auth0User } from './auth0-user.js';
import { findDemoUserBySub, type DemoUser } from './demo-users.js';
import {
  mergeUserMetadata,
  parseMetadataPatch,
  USER_METADATA_LIMIT_BYTES,
  userMetadataSize,
  type MetadataPatch,
  type UserMetadata,
} from './user-metadata.js';

/** A PATCH body above this is refused before it is parsed; it is twice what may be stored. */
const BODY_LIMIT_BYTES = 2 * USER_METADATA_LIMIT_BYTES;

/** Auth0's Management API error body. */
function fail(res: Response, statusCode: number, message: string, errorCode: string): void {
  res
    .status(statusCode)
    .set('Cache-Control', 'no-store')
    .json({ statusCode, error: STATUS_CODES[statusCode], message, errorCode });
}

function insufficientScope(res: Response, expected: readonly string[]): void {
  fail(res, 403, `Insufficient scope, expected any of: ${expected.join(',')}`, 'insufficient_scope');
}

/**
 * PATCH with only `create:current_user_metadata` may add properties but not change or delete stored
 * ones; `update:current_user_metadata` may do all three.
 */
function patchScopeMissing(token: ApiToken, stored: UserMetadata, patch: MetadataPatch): string[] | undefined {
  if (token.scopes.has('update:current_user_metadata')) return undefined;
  const onlyCreates = [...patch].every(([name, value]) => value !== null && !Object.hasOwn(stored, name));
  if (onlyCreates && token.scopes.has('create:current_user_metadata')) return undefined;
  return onlyCreates
    ? ['update:current_user_metadata', 'create:current_user_metadata']
    : ['update:current_user_metadata'];
}

/**
 * The part of Auth0's Management API a signed-in user may call with their own access token:
 * `GET` and `PATCH /api/v2/users/{id}` for their own `user_metadata`, with Auth0's rules (a bearer
 * JWT for this API, the `current_user` scopes, only the token's own user). Metadata lives in `store`.
 */
export function managementApi({
  issuer,
  audience,
  verify,
  store,
}: {
  issuer: string;
  audience: string;
  verify: ApiTokenVerifier;
  store: Map<string, UserMetadata>;
}): Router {
  const router = Router();
  const json = express.json({ limit: BODY_LIMIT_BYTES, strict: true, type: 'application/json' });
  const tokens = new WeakMap<Request, { token: ApiToken; user: DemoUser }>();

  /**
   * Lets a request on only with a valid token for this API holding one of `scopes`, for the token's
   * own user: the current_user scopes reach no one else (another user needs `otherUserScope`, never
   * granted here). Runs before the body is read, so nobody without a token makes this provider parse one.
   */
  function authorize(scopes: readonly string[], otherUserScope: string): RequestHandler {
    return async (req, res, next) => {
      const header = req.headers.authorization;
      if (!header) {
        fail(res, 401, 'Missing authentication', 'missing_authentication');
        return;
      }
      const jwt = bearerJwt(header);
      const token = jwt ? await verify(jwt, audience) : undefined;
      if (!token) {
        fail(res, 401, 'Invalid token', 'invalid_token');
        return;
      }
      if (!scopes.some((scope) => token.scopes.has(scope))) {
        insufficientScope(res, scopes);
        return;
      }
      const user = req.params.id === token.sub ? findDemoUserBySub(token.sub) : undefined;
      if (!user) {
        insufficientScope(res, [otherUserScope]);
        return;
      }
      tokens.set(req, { token, user });
      next();
    };
  }

  function authorized(req: Request): { token: ApiToken; user: DemoUser } {
    const found = tokens.get(req);
    if (!found) throw new Error('the request was not authorized');
    return found;
  }

  router.get('/api/v2/users/:id', authorize(['read:current_user'], 'read:users'), (req, res) => {
    const { user } = authorized(req);
    res.set('Cache-Control', 'no-store').json(auth0User(user, issuer, store.get(user.sub)));
  });

  router.patch(
    '/api/v2/users/:id',
    authorize(['update:current_user_metadata', 'create:current_user_metadata'], 'update:users'),
    json,
    (req, res) => {
      const { token, user } = authorized(req);
      const parsed = parseMetadataPatch(req.body);
      if ('error' in parsed) {
        fail(res, 400, parsed.error, 'invalid_body');
        return;
      }
      const stored = store.get(user.sub) ?? {};
      const missing = patchScopeMissing(token, stored, parsed.patch);
      if (missing) {
        insufficientScope(res, missing);
        return;
      }
      const merged = mergeUserMetadata(stored, parsed.patch);
      if (userMetadataSize(merged) > USER_METADATA_LIMIT_BYTES) {
        const message = `Payload validation error: user_metadata must not exceed ${USER_METADATA_LIMIT_BYTES} bytes.`;
        fail(res, 400, message, 'invalid_body');
        return;
      }
      store.set(user.sub, merged);
      res.set('Cache-Control', 'no-store').json(auth0User(user, issuer, merged));
    },
  );

  router.use('/api/v2', (_req, res) => fail(res, 404, 'Not Found', 'not_found'));

  // Body parser failures (not JSON, too large, wrong charset) are the client's; nothing else is expected.
  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    const clientError = typeof error === 'object' && error !== null && 'type' in error;
    if (clientError)
      fail(
        res,
        400,
        `Payload validation error: the body must be JSON of at most ${BODY_LIMIT_BYTES} bytes.`,
        'invalid_body',
      );
    else fail(res, 500, 'Internal error', 'internal_error');
  };
  router.use('/api/v2', onError);
  return router;
}
