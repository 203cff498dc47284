import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManagementApi } from '../../src/sign-in/management-api.js';
import { TestBrowser } from '../support/browser.js';
import { tokensForDemoUser } from '../support/dev-provider-tokens.js';
import { alice, bob, csrfTokenIn, signedInBrowser } from '../support/sign-in.js';
import { storedSession } from '../support/stored-session.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const ALICE_SUB = 'auth0|64f1c0ffee0000000000a11c';
const BOB_SUB = 'auth0|64f1c0ffee00000000000b0b';

describe('/account: settings in the user_metadata of the Management API', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ api: true });
  });
  afterAll(() => stack.close());

  it('sends an anonymous visitor to log in', async () => {
    const page = await new TestBrowser().get(`${stack.appOrigin}/account`);
    expect(page.status).toBe(302);
    expect(page.headers.location).toMatch(new RegExp(`^${stack.provider.origin}/authorize\\?`));
  });

  it('reads, saves and shows the settings: the header uses the name, /sessions the time zone', async () => {
    const { browser } = await signedInBrowser(stack.appOrigin, { user: alice });
    const empty = await browser.get(`${stack.appOrigin}/account`);
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('<h1>Your settings</h1>');
    expect(empty.text).toMatch(/id="preferredName"[^>]*value=""/);
    expect(empty.text).toContain('Hi, Alice Liddell');

    const saved = await browser.post(`${stack.appOrigin}/account`, {
      _csrf: csrfTokenIn(empty),
      preferredName: 'Ally',
      timeZone: 'Asia/Tokyo',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/account?saved=1');

    const after = await browser.get(`${stack.appOrigin}/account?saved=1`);
    expect(after.text).toContain('Your settings were saved.');
    expect(after.text).toMatch(/id="preferredName"[^>]*value="Ally"/);
    expect(after.text).toContain('<option value="Asia/Tokyo" selected>');
    expect(after.text).toContain('Hi, Ally');
    const sessions = await browser.get(`${stack.appOrigin}/sessions`);
    expect(sessions.text).toMatch(/Signed in <time datetime="[^"]+">[^<]+ Asia\/Tokyo<\/time>/);

    // Kept at the provider, not only in this session: a new sign-in elsewhere sees them.
    const elsewhere = await signedInBrowser(stack.appOrigin, { user: alice });
    expect(elsewhere.landing.text).toContain('Hi, Ally');

    // Blank fields remove the settings.
    const cleared = await browser.post(`${stack.appOrigin}/account`, {
      _csrf: csrfTokenIn(after),
      preferredName: '',
      timeZone: '',
    });
    expect(cleared.status).toBe(303);
    const reset = await browser.get(`${stack.appOrigin}/account`);
    expect(reset.text).toContain('Hi, Alice Liddell');
    expect(reset.text).toContain('<option value="">UTC (default)</option>');
  });

  it('refuses a bad value with a 400 and a message beside the field, keeping what was typed (escaped)', async () => {
    const { browser } = await signedInBrowser(stack.appOrigin, { user: bob });
    const page = await browser.get(`${stack.appOrigin}/account`);
    const refused = await browser.post(`${stack.appOrigin}/account`, {
      _csrf: csrfTokenIn(page),
      preferredName: '<img src=x onerror=alert(1)>',
      timeZone: 'Mars/Olympus',
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/<p class="field-error" id="preferredName-error">Use letters/);
    expect(refused.text).toContain('<p class="field-error" id="timeZone-error">Choose a time zone from the list.</p>');
    expect(refused.text).toContain('value="&lt;img src=x onerror=alert(1)&gt;"');
    expect(refused.text).not.toContain('<img src=x');
    expect(refused.text).toMatch(/id="preferredName"[^>]*aria-invalid="true"/);
  });

  it('refuses a post without the CSRF token, or from another site, and saves nothing', async () => {
    const { browser } = await signedInBrowser(stack.appOrigin, { user: bob });
    const missing = await browser.post(`${stack.appOrigin}/account`, { preferredName: 'Mallory', timeZone: '' });
    expect(missing.status).toBe(403);
    const page = await browser.get(`${stack.appOrigin}/account`);
    const crossSite = await browser.post(
      `${stack.appOrigin}/account`,
      { _csrf: csrfTokenIn(page), preferredName: 'Mallory', timeZone: '' },
      { 'sec-fetch-site': 'cross-site' },
    );
    expect(crossSite.status).toBe(403);
    expect((await browser.get(`${stack.appOrigin}/account`)).text).not.toContain('Mallory');
  });

  it('renders markup stored in the metadata by anything else as text', async () => {
    const { access_token: token } = await tokensForDemoUser(stack.provider, {
      user: bob,
      audience: stack.provider.managementAudience,
    });
    const response = await fetch(`${stack.provider.managementAudience}users/${encodeURIComponent(BOB_SUB)}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_metadata: { preferred_name: '<script>alert("x")</script>' } }),
    });
    expect(response.status).toBe(200);
    const { browser } = await signedInBrowser(stack.appOrigin, { user: bob });
    const page = await browser.get(`${stack.appOrigin}/account`);
    expect(page.text).toContain('Hi, &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;');
    expect(page.text).not.toContain('<script>alert');
  });

  it("gets a 403 from the API for another user's id, which the page words without the API's message", async () => {
    const { access_token: token } = await tokensForDemoUser(stack.provider, {
      user: alice,
      audience: stack.provider.managementAudience,
    });
    const api = createManagementApi(stack.provider.managementAudience, 5000);
    await expect(api.readSettings(token, ALICE_SUB)).resolves.toBeDefined();
    const refused = api.readSettings(token, BOB_SUB);
    await expect(refused).rejects.toMatchObject({
      status: 403,
      publicError: { title: 'Not allowed', message: 'You can only see and change your own settings.' },
    });
  });
});

describe('/account when the access token lacks a scope (SCOPE=read:current_user)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ api: true, env: { SCOPE: 'read:current_user' } });
  });
  afterAll(() => stack.close());

  it('still shows the settings, and says clearly why saving them failed', async () => {
    const { browser } = await signedInBrowser(stack.appOrigin, { user: alice });
    const page = await browser.get(`${stack.appOrigin}/account`);
    expect(page.status).toBe(200);
    const refused = await browser.post(`${stack.appOrigin}/account`, {
      _csrf: csrfTokenIn(page),
      preferredName: 'Ally',
      timeZone: '',
    });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('a scope is missing');
    expect(refused.text).not.toMatch(/insufficient_scope|errorCode|Insufficient scope/);
  });
});

describe('/account without an API configured (no AUDIENCE)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it('explains how to set AUDIENCE, and the session holds no token', async () => {
    const { browser, cookie } = await signedInBrowser(stack.appOrigin, { user: alice });
    const page = await browser.get(`${stack.appOrigin}/account`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('This app is not set up for it: set <code>AUDIENCE</code>');
    const stored = await storedSession(stack.store, cookie);
    expect(stored?.data.access_token).toBeUndefined();
    expect(stored?.data.refresh_token).toBeUndefined();
  });
});
