import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from '../support/browser.js';
import { signIn } from '../support/sign-in.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

describe('the request log', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  const requestLines = (reqId: string) => stack.logs.lines().filter((line) => (line.req as { id?: string } | undefined)?.id === reqId);

  it('writes exactly one line per request: id, method, path without the query, status, duration', async () => {
    const page = await new TestBrowser().get(`${stack.appOrigin}/?signed_out=local&secret=s3cr3t`, { 'x-request-id': 'log-line-1' });
    expect(page.status).toBe(200);
    const lines = requestLines('log-line-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, reqId: 'log-line-1', req: { id: 'log-line-1', method: 'GET', path: '/' }, res: { status: 200 }, msg: 'GET / 200' });
    expect(typeof lines[0]?.responseTime).toBe('number');
    expect(stack.logs.text()).not.toContain('s3cr3t');
  });

  it('logs a refused request as a warning', async () => {
    await new TestBrowser().get(`${stack.appOrigin}/nope`, { 'x-request-id': 'log-line-404' });
    expect(requestLines('log-line-404')).toEqual([expect.objectContaining({ level: 40, res: { status: 404 } })]);
  });

  it('names the signed-in user, and never logs the cookie, the code or the tokens', async () => {
    const browser = new TestBrowser();
    const { callbackUrl } = await signIn(browser, stack.appOrigin);
    await browser.get(`${stack.appOrigin}/profile`, { 'x-request-id': 'log-line-user' });
    expect(requestLines('log-line-user')).toEqual([expect.objectContaining({ userId: 'auth0|64f1c0ffee0000000000a11c', res: { status: 200 } })]);
    const cookie = browser.cookies(stack.appOrigin).session ?? 'missing';
    const code = callbackUrl.searchParams.get('code') ?? 'missing';
    const text = stack.logs.text();
    expect(text).not.toContain(cookie);
    expect(text).not.toContain(code);
    expect(text).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });
});
