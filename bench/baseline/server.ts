/**
 * The baseline: a bare Express 5 app (no auth, no session, no logging, no security headers) that
 * renders the app's own EJS pages with its view engine and view caching, as production does, so it sends the same
 * bytes as the app's `/` and `/profile`. The benchmark loads it alternately with the app; every
 * app figure is printed as a ratio to it.
 */
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { staticAssets } from '../../src/middleware/static-assets.js';
import { ejsEngine } from '../../src/view-engine.js';
import { benchUser } from './bench-user.js';

const port = Number(process.env.PORT);
const providerOrigin = process.env.PROVIDER_ORIGIN;
if (!Number.isInteger(port) || !providerOrigin) throw new Error('PORT and PROVIDER_ORIGIN are required');

const user = benchUser(providerOrigin);
// The app's CSRF token is 32 random bytes in base64url: same length, so the same number of bytes.
const csrfToken = 'b'.repeat(43);

const viewsDir = fileURLToPath(new URL('../../views', import.meta.url));
const app = express();
app.set('views', viewsDir);
app.set('view engine', 'ejs');
app.set('view cache', true);
// The same view engine and stylesheet URL as the app, so the same page comes out.
app.engine('ejs', ejsEngine(viewsDir, { cache: true }));
app.locals.assetUrl = staticAssets(fileURLToPath(new URL('../../public', import.meta.url))).url;
app.get('/', (_req, res) => {
  res.render('pages/home', { signedOutLocally: false });
});
app.get('/profile', (_req, res) => {
  res.render('pages/profile', {
    user,
    displayName: user.name,
    csrfToken,
    claimsJson: JSON.stringify(user.claims, null, 2),
  });
});

createServer(app).listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
