import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { alice, bob, signedInBrowser } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

describe('/admin: a page behind a role check', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ api: true });
  });
  afterAll(() => stack.close());

  it('shows the page to a user with the admin role, with the roles and permissions it saw', async () => {
    const { browser, landing } = await signedInBrowser(stack.appOrigin, { user: alice });
    expect(landing.text).toContain('<a href="/admin">Admin</a>');
    const page = await browser.get(`${stack.appOrigin}/admin`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<h1>Administration</h1>');
    expect(page.text).toMatch(/<dt>Your roles<\/dt>\s*<dd>admin<\/dd>/);
    expect(page.text).toMatch(/<dt>Your permissions for the API<\/dt>\s*<dd>read:admin<\/dd>/);
  });

  it('answers a signed-in user without the role with a friendly 403 page, and no link to it', async () => {
    const { browser, landing } = await signedInBrowser(stack.appOrigin, { user: bob });
    expect(landing.text).not.toContain('href="/admin"');
    const page = await browser.get(`${stack.appOrigin}/admin`);
    expect(page.status).toBe(403);
    expect(page.text).toContain('Not allowed');
    expect(page.text).toContain('Your account does not have access to this page.');
  });

  it('sends an anonymous visitor to sign in, and back to /admin afterwards', async () => {
    const page = await new TestBrowser().get(`${stack.appOrigin}/admin`);
    expect(page.status).toBe(302);
    expect(page.headers.location).toMatch(new RegExp(`^${stack.provider.origin}/authorize\\?`));
  });
});

describe('/admin without an API configured: roles still come from the ID token', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it('lets the admin in and keeps others out', async () => {
    const admin = await signedInBrowser(stack.appOrigin, { user: alice });
    expect((await admin.browser.get(`${stack.appOrigin}/admin`)).status).toBe(200);
    const other = await signedInBrowser(stack.appOrigin, { user: bob });
    expect((await other.browser.get(`${stack.appOrigin}/admin`)).status).toBe(403);
  });
});
