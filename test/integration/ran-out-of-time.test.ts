import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { ranOutOfTime } from '../../src/time-limit.js';

describe('ranOutOfTime', () => {
  it('recognises the rejection of a fetch whose time limit fired, and of one aborted', async () => {
    const server = createServer(() => {
      // Never answers: the caller's time limit decides.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const timedOut = await fetch(url, { signal: AbortSignal.timeout(50) }).catch((error: unknown) => error);
      const controller = new AbortController();
      const aborted = fetch(url, { signal: controller.signal }).catch((error: unknown) => error);
      controller.abort();
      expect(ranOutOfTime(timedOut)).toBe(true);
      expect(ranOutOfTime(await aborted)).toBe(true);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("recognises openid-client's wrapped timeout, and not its other failures", async () => {
    const server = createServer(() => {
      // Never answers.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    try {
      const failure = await client
        .discovery(issuer, 'app', undefined, undefined, {
          // eslint-disable-next-line @typescript-eslint/no-deprecated -- deprecated only to stand out: a loopback server
          execute: [client.allowInsecureRequests],
          timeout: 0.05,
        })
        .catch((error: unknown) => error);
      expect((failure as { code?: unknown }).code).toBe('OAUTH_TIMEOUT');
      expect(ranOutOfTime(failure)).toBe(true);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('says no for any other error, code or thrown value', () => {
    const otherName = fc.string().filter((name) => name !== 'TimeoutError' && name !== 'AbortError');
    const otherCode = fc.anything().filter((code) => code !== 'OAUTH_TIMEOUT' && code !== 'OAUTH_ABORT');
    fc.assert(
      fc.property(otherName, otherCode, (name, code) => {
        const error = Object.assign(new Error('failed'), { code });
        error.name = name;
        expect(ranOutOfTime(error)).toBe(false);
      }),
    );
    fc.assert(
      fc.property(fc.anything(), (thrown) => {
        fc.pre(!(thrown instanceof Error));
        expect(ranOutOfTime(thrown)).toBe(false);
      }),
    );
  });
});
