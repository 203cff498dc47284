import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leaksIn } from '../support/page-checks.js';
import { firstResponse, openRawConnection, type RawResponse } from '../support/raw-http.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { withinTime } from '../support/wait.js';

/** Every route that reads a body, with the limit the README documents. */
const BODY_ROUTES = [
  { path: '/logout', limit: 4 * 1024 },
  { path: '/sessions/end', limit: 4 * 1024 },
  { path: '/sessions/end-others', limit: 4 * 1024 },
  { path: '/backchannel-logout', limit: 16 * 1024 },
];
const ANSWER_WITHIN_MS = 3000;

function head(method: string, path: string, headers: Record<string, string | number>): string {
  const lines = Object.entries({
    host: 'localhost',
    'content-type': 'application/x-www-form-urlencoded',
    ...headers,
  }).map(([name, value]) => `${name}: ${value}`);
  return `${method} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

const chunked = (sizes: number[]) => sizes.map((size) => `${size.toString(16)}\r\n${'a'.repeat(size)}\r\n`).join('');

describe('request bodies', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  /**
   * Writes `bytes` on a new connection (never ending it: a half-closed socket makes Node drop the
   * request) and returns the first response once the server has closed the connection. Fails if
   * that takes longer than ANSWER_WITHIN_MS: the server is waiting for a body it should not read.
   */
  async function untilClosed(bytes: string): Promise<RawResponse> {
    const connection = await openRawConnection(stack.appOrigin);
    try {
      connection.socket.write(bytes);
      await withinTime(connection.closed, ANSWER_WITHIN_MS, 'answer and closed connection');
      return firstResponse(connection.received());
    } finally {
      connection.socket.destroy();
    }
  }

  describe('over the limit of the route that reads it', () => {
    it.each(['/logout', '/sessions/end', '/sessions/end-others'])(
      'answers POST %s declaring 100 MB, of which three bytes are sent, with the 413 page at once, and closes the connection',
      async (path) => {
        const response = await untilClosed(`${head('POST', path, { 'content-length': 100_000_000 })}a=b`);
        expect(response.status).toBe(413);
        expect(response.headers.connection).toBe('close');
        expect(response.body).toContain('Request too large');
        expect(leaksIn(response.body)).toEqual([]);
      },
    );

    it('answers POST /backchannel-logout declaring 100 MB with its 413 JSON at once, and closes the connection', async () => {
      const response = await untilClosed(
        `${head('POST', '/backchannel-logout', { 'content-length': 100_000_000 })}a=b`,
      );
      expect(response.status).toBe(413);
      expect(response.headers.connection).toBe('close');
      expect(JSON.parse(response.body)).toEqual({
        error: 'invalid_request',
        error_description: 'The request is too large.',
      });
    });

    it('for any declared length over the limit and any bytes sent, answers 413 at once and closes', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...BODY_ROUTES),
          fc.integer({ min: 1, max: 2 ** 40 }),
          fc.nat({ max: 64 }),
          async (route, excess, sent) => {
            const response = await untilClosed(
              head('POST', route.path, { 'content-length': route.limit + excess }) + 'a'.repeat(sent),
            );
            expect(response.status).toBe(413);
            expect(response.headers.connection).toBe('close');
          },
        ),
        { numRuns: 25 },
      );
    });

    it('answers a chunked body with 413 as soon as it passes the limit, without waiting for its end', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...BODY_ROUTES),
          fc.array(fc.integer({ min: 1, max: 8192 }), { minLength: 1, maxLength: 8 }),
          async (route, sizes) => {
            fc.pre(sizes.reduce((sum, size) => sum + size, 0) > route.limit);
            // No last chunk: the body never ends.
            const response = await untilClosed(
              head('POST', route.path, { 'transfer-encoding': 'chunked' }) + chunked(sizes),
            );
            expect(response.status).toBe(413);
            expect(response.headers.connection).toBe('close');
          },
        ),
        { numRuns: 25 },
      );
    });
  });

  describe('within the limit', () => {
    it('reads the whole body, declared or chunked, and answers the route itself', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...BODY_ROUTES),
          fc.array(fc.integer({ min: 1, max: 1024 }), { minLength: 0, maxLength: 4 }),
          fc.boolean(),
          async (route, sizes, asChunks) => {
            const length = sizes.reduce((sum, size) => sum + size, 0);
            fc.pre(length <= route.limit);
            const request = asChunks
              ? head('POST', route.path, { 'transfer-encoding': 'chunked', connection: 'close' }) +
                chunked(sizes) +
                '0\r\n\r\n'
              : head('POST', route.path, { 'content-length': length, connection: 'close' }) + 'a'.repeat(length);
            const response = await untilClosed(request);
            expect(response.status).not.toBe(413);
            expect(response.status).toBeLessThan(500);
          },
        ),
        { numRuns: 25 },
      );
    });
  });

  describe('sent to a route that reads none', () => {
    it.each([
      ['GET', '/', 200],
      ['POST', '/nope', 404],
    ])(
      'answers %s %s declaring 100 MB as usual, then closes the connection instead of reading the body',
      async (method, path, status) => {
        const response = await untilClosed(`${head(method, path, { 'content-length': 100_000_000 })}abc`);
        expect(response.status).toBe(status);
        expect(response.headers.connection).toBe('close');
      },
    );

    it('closes the connection after answering a request with a chunked body that never ends', async () => {
      const response = await untilClosed(head('GET', '/', { 'transfer-encoding': 'chunked' }) + chunked([10]));
      expect(response.status).toBe(200);
      expect(response.headers.connection).toBe('close');
    });
  });
});
