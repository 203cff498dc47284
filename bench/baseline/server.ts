/**
 * The baseline: a bare Express 5 app (no auth, no session, no logging, no security headers) that
 * renders the app's own EJS pages with its view engine and view caching, as production does, so it
 * sends the same bytes as the app's `/` and `/profile`. The benchmark loads it alternately with the
 * app; every app figure is printed as a ratio to it. It runs compiled (`npm run bench:build`) and
 * loads nothing but Express, EJS and the app's view engine and asset helper, so its idle heap and
 * RSS are those of bare Express: the user it shows comes ready-made from the driver (BENCH_USER,
 * see bench-user.ts), and the folders as absolute paths (the compiled file lives elsewhere).
 */
import { createServer } from 'node:http';
import express from 'express';
import { staticAssets } from '../../src/middleware/static-assets.js';
import { ejsEngine } from '../../src/view-engine.js';

const port = Number(process.env.PORT);
const { BENCH_USER: userJson, VIEWS_DIR: viewsDir, PUBLIC_DIR: publicDir } = process.env;
if (!Number.isInteger(port) || !userJson || !viewsDir || !publicDir)
  throw new Error('PORT, BENCH_USER, VIEWS_DIR and PUBLIC_DIR are required');

const user = JSON.parse(userJson) as { name: string; claims: Record<string, unknown> };
// The app's CSRF token is 32 random bytes in base64url: same length, so the same number of bytes.
const csrfToken = 'b'.repeat(43);

const app = express();
app.set('views', viewsDir);
app.set('view engine', 'ejs');
app.set('view cache', true);
// The same view engine and stylesheet URL as the app, so the same page comes out.
app.engine('ejs', ejsEngine(viewsDir, { cache: true }));
app.locals.assetUrl = staticAssets(publicDir).url;
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
