import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../support/accessibility.js';
import { launchChromium } from '../support/chromium.js';
import { freePort, startServerProcess, waitForOutput, type ServerProcess } from '../support/server-process.js';
import { alice } from '../support/sign-in.js';

const screenshotDir = fileURLToPath(new URL('../../test-output/e2e/', import.meta.url));

describe('in a real browser (Chromium), against the server as npm start runs it', () => {
  let server: ServerProcess;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let appOrigin: string;
  /** Messages the browser itself reports: CSP violations and script errors must never happen. */
  const browserComplaints: string[] = [];

  const screenshot = (name: string) => page.screenshot({ path: `${screenshotDir}${name}.png`, fullPage: true });
  const onProvider = () => page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/interaction\//);
  const logIn = async (password: string) => {
    await page.getByLabel('Email address').fill(alice.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Continue' }).click();
  };

  beforeAll(async () => {
    await mkdir(screenshotDir, { recursive: true });
    const port = await freePort();
    appOrigin = `http://localhost:${port}`;
    server = startServerProcess({ PORT: String(port) });
    await waitForOutput(server, (output) => output.includes('Demo users:'));
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) browserComplaints.push(message.text());
    });
    page.on('pageerror', (error) => browserComplaints.push(error.message));
  });

  afterAll(async () => {
    await chromium.close();
    server.child.kill('SIGTERM');
    await server.exited;
  });

  it('signs in (after a wrong password), shows the profile, logs out, and asks to sign in again', async () => {
    await page.goto(`${appOrigin}/`);
    await screenshot('01-home');
    await page.getByRole('link', { name: 'Log in' }).first().click();
    await onProvider();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Log in');
    await screenshot('02-provider-login');

    await logIn('not-the-password');
    expect(await page.getByRole('alert').textContent()).toBe('Wrong email or password.');
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    await screenshot('03-provider-login-error');

    await logIn(alice.password);
    await page.waitForURL(`${appOrigin}/`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Welcome, Alice Liddell');
    await screenshot('04-home-signed-in');

    await page.getByRole('link', { name: 'Profile', exact: true }).click();
    await page.waitForURL(`${appOrigin}/profile`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Alice Liddell');
    expect(await page.locator('.email').textContent()).toContain(alice.email);
    const avatarWidth = await page
      .locator('img.avatar')
      .evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth);
    expect(avatarWidth).toBeGreaterThan(0);
    expect(await page.locator('pre.claims').textContent()).toContain('"email_verified": true');
    await screenshot('05-profile');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(`${appOrigin}/`);
    expect(await page.getByRole('link', { name: 'Log in' }).count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Log out' }).count()).toBe(0);
    await screenshot('06-signed-out');

    await page.goto(`${appOrigin}/profile`);
    await onProvider();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Log in');
    expect(browserComplaints).toEqual([]);
  });

  describe('accessibility (axe-core): no serious or critical violations', () => {
    // Signed out first (the error and 404 pages too: a signed-in replay of /callback just goes home).
    const audited: { name: string; heading: string; open: () => Promise<unknown> }[] = [
      { name: 'home', heading: 'Welcome', open: () => page.goto(`${appOrigin}/`) },
      {
        name: 'error',
        heading: 'Sign-in could not be completed',
        open: () => page.goto(`${appOrigin}/callback?code=forged&state=forged`),
      },
      { name: 'not-found', heading: 'Page not found', open: () => page.goto(`${appOrigin}/no/such/page`) },
      {
        name: 'provider-login',
        heading: 'Log in',
        open: async () => (await page.goto(`${appOrigin}/login`), onProvider()),
      },
      { name: 'provider-login-error', heading: 'Log in', open: () => logIn('not-the-password') },
      {
        name: 'home-signed-in',
        heading: 'Welcome, Alice Liddell',
        open: async () => (await logIn(alice.password), page.waitForURL(`${appOrigin}/`)),
      },
      { name: 'profile', heading: 'Alice Liddell', open: () => page.goto(`${appOrigin}/profile`) },
      { name: 'sessions', heading: 'Your sessions', open: () => page.goto(`${appOrigin}/sessions`) },
      { name: 'logout-confirmation', heading: 'Log out?', open: () => page.goto(`${appOrigin}/logout`) },
    ];

    it.each(audited.map((entry) => [entry.name, entry] as const))('on the %s page', async (name, { heading, open }) => {
      await open();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
      await screenshot(`a11y-${name}`);
      expect(await seriousViolations(page)).toEqual([]);
      expect(browserComplaints).toEqual([]);
    });
  });

  it('refuses to run an inline script without the nonce: the CSP is in force in the browser', async () => {
    await page.goto(`${appOrigin}/`);
    await page.addScriptTag({ content: 'window.inlineScriptRan = true;' }).catch(() => undefined);
    expect(await page.evaluate(() => 'inlineScriptRan' in window)).toBe(false);
    expect(browserComplaints).toEqual([
      expect.stringMatching(
        /^Executing inline script violates .*script-src 'self' 'nonce-.*The action has been blocked\.$/,
      ),
    ]);
  });
});
