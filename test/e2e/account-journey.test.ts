import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/accessibility.js';
import { launchChromium } from '../support/chromium.js';
import { startServerOnFreePort, type ServerProcess } from '../support/server-process.js';
import { alice, bob } from '../support/sign-in.js';

const screenshotDir = fileURLToPath(new URL('../../test-output/e2e/', import.meta.url));

/** The shortest access-token life the embedded provider allows: a refresh is due within seconds. */
const ACCESS_TOKEN_SECONDS = 20;
/** A zone far from UTC with no daylight saving, so its times never read like UTC ones. */
const TIME_ZONE = 'Asia/Tokyo';
/** A name with an apostrophe: it must come back escaped, not cut short, in an attribute and in the header. */
const PREFERRED_NAME = "Ally O'Hare";

/** What /sessions shows for a moment in `timeZone`: the same Intl formatting, in the same Node, as the server. */
const shownIn = (iso: string, timeZone: string) =>
  `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso))} ${timeZone}`;

type Chromium = Awaited<ReturnType<typeof launchChromium>>;

describe('settings and roles in a real browser (Chromium), against the server as npm start runs it', () => {
  let server: ServerProcess | undefined;
  let appOrigin: string;
  const browsers: Chromium[] = [];
  let page: Page;
  /** Messages the browser itself reports: CSP violations and script errors must never happen. */
  const browserComplaints: string[] = [];
  /** When a page last needed the API: the token it used was obtained no later than this. */
  let lastTokenUse = 0;

  async function openBrowser(): Promise<Page> {
    const chromium = await launchChromium();
    browsers.push(chromium);
    const opened = await chromium.context.newPage();
    opened.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) browserComplaints.push(message.text());
    });
    opened.on('pageerror', (error) => browserComplaints.push(error.message));
    return opened;
  }

  /** Logs in on the provider's page the app sent the browser to, and waits until the app answers at `landing`. */
  async function logInAs(user: typeof alice, landing: string) {
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/interaction\//);
    await page.getByLabel('Email address').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await Promise.all([page.waitForURL(landing), page.getByRole('button', { name: 'Continue' }).click()]);
  }

  /** Pages new with these features are held to no axe violation at all, not only no serious one. */
  async function expectAccessible(name: string) {
    await page.screenshot({ path: `${screenshotDir}account-${name}.png`, fullPage: true });
    expect(await axeViolations(page)).toEqual([]);
    expect(browserComplaints).toEqual([]);
  }

  /**
   * Submits the settings form and waits, at most 10 s, for the saved page; a page that is not it
   * (an error page) fails the heading and status checks that follow, which say what came instead.
   */
  async function saveSettings() {
    await Promise.all([
      page.waitForURL(`${appOrigin}/account?saved=1`, { timeout: 10_000 }).catch(() => undefined),
      page.getByRole('button', { name: 'Save settings' }).click(),
    ]);
    expect(await heading()).toBe('Your settings');
    expect(page.url()).toBe(`${appOrigin}/account?saved=1`);
  }

  const heading = () => page.getByRole('heading', { level: 1 }).textContent();
  const greeting = () => page.locator('header .greeting').textContent();
  const preferredName = () => page.getByLabel('Preferred name');

  beforeAll(async () => {
    await mkdir(screenshotDir, { recursive: true });
    // Zero configuration but this: the banner (not a JSON log line: the logs are pretty in development) says it is up.
    const started = await startServerOnFreePort(
      { DEV_PROVIDER_ACCESS_TOKEN_SECONDS: String(ACCESS_TOKEN_SECONDS) },
      { ready: (output) => output.includes('Demo users:') },
    );
    server = started.server;
    appOrigin = `http://localhost:${started.port}`;
    page = await openBrowser();
  });

  afterAll(async () => {
    for (const chromium of browsers) await chromium.close();
    if (!server) return;
    server.child.kill('SIGTERM');
    await server.exited;
  });

  it('sends alice to sign in from /account, then shows her settings, empty', async () => {
    await page.goto(`${appOrigin}/account`);
    await logInAs(alice, `${appOrigin}/account`);
    lastTokenUse = Date.now();
    expect(await heading()).toBe('Your settings');
    expect(await greeting()).toBe('Hi, Alice Liddell');
    expect(await preferredName().inputValue()).toBe('');
    expect(await page.getByLabel('Time zone').inputValue()).toBe('');
    expect(await page.title()).toBe('Your settings · Auth0 Express Login');
    await expectAccessible('empty');
  });

  it("shows the site's focus ring on each control of the form as the keyboard reaches it", async () => {
    await preferredName().focus();
    const rings: string[] = [];
    // The name field, then Tab to the time zone, then Tab to the button: the form's three controls.
    for (let step = 0; step < 3; step += 1) {
      if (step > 0) await page.keyboard.press('Tab');
      rings.push(
        await page.evaluate(() => {
          const focused = document.activeElement ?? document.body;
          const name = focused.id || focused.tagName.toLowerCase();
          if (!focused.matches(':focus-visible')) return `${name}: not focus-visible`;
          const style = getComputedStyle(focused);
          return `${name}: ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`;
        }),
      );
    }
    const houseRing = 'solid 3px rgb(240, 162, 2)';
    expect(rings).toEqual([`preferredName: ${houseRing}`, `timeZone: ${houseRing}`, `button: ${houseRing}`]);
  });

  it('keeps a refused value with its message beside the field, which is marked invalid and described by it', async () => {
    await preferredName().fill('Ally <3');
    const [answer] = await Promise.all([
      page.waitForResponse(
        (response) => response.url() === `${appOrigin}/account` && response.request().method() === 'POST',
      ),
      page.getByRole('button', { name: 'Save settings' }).click(),
    ]);
    // The 400 answer is the new page itself (no redirect): it is in once its message is.
    const message = page.locator('#preferredName-error');
    await message.waitFor({ timeout: 10_000 });
    expect(answer.status()).toBe(400);
    expect(await preferredName().inputValue()).toBe('Ally <3');
    expect(await preferredName().getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await preferredName().getAttribute('aria-describedby'))?.split(' ') ?? [];
    expect(describedBy).toContain('preferredName-error');
    expect(await message.textContent()).toBe(
      "Use letters, spaces, apostrophes ('), hyphens (-) and periods only, starting with a letter.",
    );
    // Beside the field: in the same group of the form, right after the input.
    expect(await message.evaluate((element) => element.previousElementSibling?.id)).toBe('preferredName');
    expect(await page.getByLabel('Time zone').getAttribute('aria-invalid')).toBeNull();
    expect(await greeting()).toBe('Hi, Alice Liddell');
    // The first thing a screen reader reads on the page that came back: the save did not happen.
    expect(await page.title()).toBe('Error: Your settings · Auth0 Express Login');
    await expectAccessible('errors');
  });

  it('saves a preferred name and a time zone, and applies them: the greeting in the header, the times on /sessions', async () => {
    await preferredName().fill(PREFERRED_NAME);
    await page.getByLabel('Time zone').selectOption(TIME_ZONE);
    await saveSettings();
    lastTokenUse = Date.now();
    expect(await page.getByRole('status').textContent()).toBe('Your settings were saved.');
    expect(await preferredName().inputValue()).toBe(PREFERRED_NAME);
    expect(await page.getByLabel('Time zone').inputValue()).toBe(TIME_ZONE);
    expect(await greeting()).toBe(`Hi, ${PREFERRED_NAME}`);
    await expectAccessible('saved');

    await page.getByRole('link', { name: 'Sessions', exact: true }).click();
    await page.waitForURL(`${appOrigin}/sessions`);
    const times = page.locator('.session.current time');
    expect(await times.count()).toBe(2);
    for (const time of await times.all()) {
      const iso = (await time.getAttribute('datetime')) ?? '';
      expect(await time.textContent()).toBe(shownIn(iso, TIME_ZONE));
      expect(await time.textContent()).not.toBe(shownIn(iso, 'UTC'));
    }
    await page.screenshot({ path: `${screenshotDir}account-sessions-in-time-zone.png`, fullPage: true });
  });

  it(
    'saves again after the tab sat until the access token expired, without a trip to the sign-in service',
    { timeout: 60_000 },
    async () => {
      await page.goto(`${appOrigin}/account`);
      lastTokenUse = Date.now();
      const navigations: string[] = [];
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) navigations.push(frame.url());
      });
      // The app refreshes 10 s ahead of expiry, so ~11 s would already make it refresh; but the old
      // token would still pass at the API then, and an app that never refreshed would pass too. So
      // the tab waits until the token the app last used has really expired (the API checks `exp`
      // without leeway, to the second): at most ACCESS_TOKEN_SECONDS + 1 s, once.
      const expiredAt = lastTokenUse + (ACCESS_TOKEN_SECONDS + 1) * 1000;
      await page.waitForTimeout(Math.max(0, expiredAt - Date.now()));

      await preferredName().fill('Ally');
      await saveSettings();
      expect(await page.getByRole('status').textContent()).toBe('Your settings were saved.');
      expect(await greeting()).toBe('Hi, Ally');
      expect(await page.getByLabel('Time zone').inputValue()).toBe(TIME_ZONE);
      expect(navigations.every((url) => new URL(url).origin === appOrigin)).toBe(true);
      expect(navigations).toContain(`${appOrigin}/account?saved=1`);
      await page.screenshot({ path: `${screenshotDir}account-saved-after-expiry.png`, fullPage: true });
    },
  );

  it('shows alice, who has the admin role, the Admin link and /admin', async () => {
    await Promise.all([page.waitForURL(`${appOrigin}/admin`), page.getByRole('link', { name: 'Admin' }).click()]);
    expect(await heading()).toBe('Administration');
    expect(await page.locator('.facts dd').first().textContent()).toBe('admin');
    await expectAccessible('admin');
  });

  it('gives bob, who has no role, no Admin link and the friendly 403 page on /admin', async () => {
    page = await openBrowser();
    await page.goto(`${appOrigin}/login`);
    await logInAs(bob, `${appOrigin}/`);
    expect(await greeting()).toBe('Hi, Bob Builder');
    expect(await page.getByRole('link', { name: 'Settings' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);

    const answer = await page.goto(`${appOrigin}/admin`);
    expect(answer?.status()).toBe(403);
    expect(await heading()).toBe('Not allowed');
    expect(await page.locator('main').textContent()).toContain('Your account does not have access to this page.');
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await expectAccessible('forbidden');
  });
});
