import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { ranOutOfTime } from '../../src/time-limit.js';

/** Runs `use` against an HTTP server on loopback that accepts requests and never answers them. */
async function withSilentServer(use: (origin: string) => Promise<void>): Promise<void> {
  const server = createServer(() => {
    // Never answers: the caller's time limit decides.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

describe('ranOutOfTime', () => {
  it('recognises the rejection of a fetch whose time limit fired, and of one aborted', async () => {
    await withSilentServer(async (origin) => {
      const timedOut = await fetch(origin, { signal: AbortSignal.timeout(50) }).catch((error: unknown) => error);
      const controller = new AbortController();
      const aborted = fetch(origin, { signal: controller.signal }).catch((error: unknown) => error);
      controller.abort();
      expect(ranOutOfTime(timedOut)).toBe(true);
      expect(ranOutOfTime(await aborted)).toBe(true);
    });
  });

  it("recognises openid-client's wrapped timeout, and not its other failures", async () => {
    await withSilentServer(async (origin) => {
      const failure = await client
        .discovery(new URL(`${origin}/`), 'app', undefined, undefined, {
          // eslint-disable-next-line @typescript-eslint/no-deprecated -- deprecated only to stand out: a loopback server
          execute: [client.allowInsecureRequests],
          timeout: 0.05,
        })
        .catch((error: unknown) => error);
      expect((failure as { code?: unknown }).code).toBe('OAUTH_TIMEOUT');
      expect(ranOutOfTime(failure)).toBe(true);
    });
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
