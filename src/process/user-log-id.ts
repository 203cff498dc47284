import dotenv from 'dotenv';
import { deriveSecretKeys, userLogId } from '../sessions/index.js';

/**
 * `npm run user-log-id -- '<user id>'`: what log lines say for that user (`user`), with the SECRET
 * of the deployment whose logs are searched (from the environment or .env). Logs never hold the
 * user id itself, which is a claim and often an email.
 */
dotenv.config({ quiet: true });
const [sub] = process.argv.slice(2);
const secrets = (process.env.SECRET ?? '')
  .split(',')
  .map((secret) => secret.trim())
  .filter((secret) => secret !== '');
if (sub === undefined || sub === '' || secrets.length === 0) {
  console.error("Usage: SECRET=<the deployment's SECRET> npm run user-log-id -- '<user id, such as auth0|64f1...>'");
  process.exit(1);
}
console.log(userLogId(deriveSecretKeys(secrets), sub));
