import { randomUUID } from 'node:crypto';
import type { DevProvider } from '../../src/auth/dev-provider.js';

const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A logout token issued and signed by the embedded provider itself, naming a user and/or a provider session. */
export async function providerLogoutToken(dev: DevProvider, { sub, sid }: { sub?: string; sid?: string }): Promise<string> {
  const client = await dev.provider.Client.find(dev.issuer.clientID);
  if (!client) throw new Error('the development client is not registered');
  const token = new dev.provider.IdToken(sub === undefined ? {} : { sub }, { client });
  // As oidc-provider's own back-channel logout does: without it, `sub` is filtered out as a claim.
  Object.assign(token, { mask: { sub: null } });
  token.set('events', { [BACKCHANNEL_LOGOUT_EVENT]: {} });
  token.set('jti', randomUUID());
  if (sid !== undefined) token.set('sid', sid);
  return token.issue({ use: 'logout' });
}
