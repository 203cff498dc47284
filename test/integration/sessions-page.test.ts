import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser, type Page } from '../support/browser.js';
import { storedSession } from '../support/stored-session.js';
import { alice, bob, signedInBrowser } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const FIREFOX_LINUX = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' };
const SAFARI_IPHONE = {
  'user-agent':
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
};

/** The handles of the sessions the page offers to end (every one but the current). */
const endableHandles = (page: Page) =>
  [...page.text.matchAll(/name="session" value="([^"]+)"/g)].map((match) => match[1] ?? '');

describe('/sessions', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it('sends an anonymous visitor to log in', async () => {
    const page = await new TestBrowser().get(`${stack.appOrigin}/sessions`);
    expect(page.status).toBe(302);
    expect(page.headers.location).toMatch(new RegExp(`^${stack.provider.origin}/authorize\\?`));
  });

  describe('for a user signed in on a laptop and a phone', () => {
    let laptop: Awaited<ReturnType<typeof signedInBrowser>>;
    let phone: Awaited<ReturnType<typeof signedInBrowser>>;
    let page: Page;

    beforeAll(async () => {
      laptop = await signedInBrowser(stack.appOrigin, {
        user: bob,
        browser: new TestBrowser({ headers: FIREFOX_LINUX }),
      });
      phone = await signedInBrowser(stack.appOrigin, {
        user: bob,
        browser: new TestBrowser({ headers: SAFARI_IPHONE }),
      });
      page = await laptop.browser.get(`${stack.appOrigin}/sessions`);
    });

    it('lists both, with browser and system, and marks this one', () => {
      expect(page.status).toBe(200);
      expect(page.text).toContain('Firefox 128 on Linux');
      expect(page.text).toContain('Safari 17 on iOS 17.5');
      const current = /<li class="session current">([\s\S]*?)<\/li>/.exec(page.text)?.[1] ?? '';
      expect(current).toContain('Firefox 128 on Linux');
      expect(current).toContain('This session');
      expect(page.text.match(/Signed in <time datetime="\d{4}-\d\d-\d\dT/g)).toHaveLength(2);
      expect(page.text).toContain('last seen <time');
    });

    it('links to itself from the navigation and the profile', async () => {
      expect(page.text).toContain('<a href="/sessions">Sessions</a>');
      expect((await laptop.browser.get(`${stack.appOrigin}/profile`)).text).toContain(
        '<a href="/sessions">Your sessions</a>',
      );
    });

    it('never shows a session id or the cookie', () => {
      expect(page.text).not.toContain(laptop.cookie.split('.')[0]);
      expect(page.text).not.toContain(phone.cookie.split('.')[0]);
    });

    it('refuses to end a session without the CSRF token, or cross-site', async () => {
      const [handle = ''] = endableHandles(page);
      expect((await laptop.browser.post(`${stack.appOrigin}/sessions/end`, { session: handle })).status).toBe(403);
      const crossSite = await laptop.browser.post(
        `${stack.appOrigin}/sessions/end`,
        { session: handle, _csrf: laptop.csrf },
        { 'sec-fetch-site': 'cross-site' },
      );
      expect(crossSite.status).toBe(403);
      expect((await phone.browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    });

    it("does not end another user's session named by its handle", async () => {
      const victim = await signedInBrowser(stack.appOrigin, { user: alice });
      const victimsOtherBrowser = await signedInBrowser(stack.appOrigin, { user: alice });
      const victimHandles = endableHandles(await victimsOtherBrowser.browser.get(`${stack.appOrigin}/sessions`));
      expect(victimHandles.length).toBeGreaterThanOrEqual(1);
      for (const handle of victimHandles) {
        const response = await laptop.browser.post(
          `${stack.appOrigin}/sessions/end`,
          { session: handle, _csrf: laptop.csrf },
          { origin: stack.appOrigin },
        );
        expect(response.headers.location).toBe('/sessions?ended=0');
      }
      expect((await victim.browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    });

    it('ends the other session, and says so', async () => {
      const [handle = ''] = endableHandles(page);
      const response = await laptop.browser.post(
        `${stack.appOrigin}/sessions/end`,
        { session: handle, _csrf: laptop.csrf },
        { origin: stack.appOrigin },
      );
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe('/sessions?ended=1');
      expect((await laptop.browser.get(`${stack.appOrigin}/sessions?ended=1`)).text).toContain('1 session ended.');
      expect((await phone.browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
      expect((await laptop.browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
    });
  });

  it('refuses to end the current session from the list: that is logging out', async () => {
    const { browser, csrf, cookie } = await signedInBrowser(stack.appOrigin);
    const handle = (await storedSession(stack.store, cookie))?.data.handle ?? '';
    expect(handle).not.toBe('');
    const response = await browser.post(
      `${stack.appOrigin}/sessions/end`,
      { session: handle, _csrf: csrf },
      { origin: stack.appOrigin },
    );
    expect(response.status).toBe(400);
    expect(response.text).toContain('To end this session, log out.');
    expect((await browser.get(`${stack.appOrigin}/profile`)).status).toBe(200);
  });

  it('ends all the other sessions at once', async () => {
    const here = await signedInBrowser(stack.appOrigin, { user: alice });
    const elsewhere = [
      await signedInBrowser(stack.appOrigin, { user: alice }),
      await signedInBrowser(stack.appOrigin, { user: alice }),
    ];
    const response = await here.browser.post(
      `${stack.appOrigin}/sessions/end-others`,
      { _csrf: here.csrf },
      { origin: stack.appOrigin },
    );
    expect(response.status).toBe(303);
    expect(response.headers.location).toMatch(/^\/sessions\?ended=\d+$/);
    for (const other of elsewhere) expect((await other.browser.get(`${stack.appOrigin}/profile`)).status).toBe(302);
    const left = await here.browser.get(`${stack.appOrigin}/sessions`);
    expect(endableHandles(left)).toEqual([]);
    expect(left.text).toContain('This session');
  });
});
