import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { setCookies } from '../support/page-checks.js';
import { signIn } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

describe('GET / (served without the session machinery to visitors without a session cookie)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it('shows Log in and sets no cookie for a visitor without one', async () => {
    const page = await new TestBrowser().get(`${stack.appOrigin}/`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('>Log in</a>');
    expect(setCookies(page.headers)).toEqual([]);
  });

  it('still recognises a signed-in visitor', async () => {
    const browser = new TestBrowser();
    await signIn(browser, stack.appOrigin);
    const page = await browser.get(`${stack.appOrigin}/`);
    expect(page.text).toContain('Welcome, Alice Liddell');
    expect(page.text).toContain('Log out');
  });

  it('treats a forged session cookie as signed out, and clears it', async () => {
    const page = await new TestBrowser().get(`${stack.appOrigin}/`, {
      cookie: 'session=0123456789abcdef0123456789abcdef.forged',
    });
    expect(page.text).toContain('>Log in</a>');
    const cleared = setCookies(page.headers).find((cookie) => cookie.name === 'session');
    expect(cleared?.value).toBe('');
    expect(String(cleared?.attributes.expires)).toMatch(/1970/);
  });
});
