import type { ProviderMiddleware } from '../../src/dev-provider/dev-provider.js';

/** What the provider does to a request for a given path, instead of answering normally. */
export type Fault =
  | { kind: 'drop' }
  | { kind: 'delay'; ms: number }
  | { kind: 'answer'; status: number; body: unknown; type?: string; headers?: Record<string, string> };

/**
 * Makes the real embedded provider misbehave on chosen paths, switchable at any moment: drop
 * the connection (like a crashed provider or a load balancer reset), answer late, or answer
 * with an error of our choice. A delayed request ends early if the caller hangs up.
 */
export function providerFaults(): {
  middleware: ProviderMiddleware;
  set(path: string, fault: Fault): void;
  clear(): void;
} {
  const faults = new Map<string, Fault>();
  const middleware: ProviderMiddleware = async (ctx, next) => {
    const fault = faults.get(ctx.path);
    if (fault?.kind === 'drop') {
      ctx.req.socket.destroy();
      return;
    }
    if (fault?.kind === 'answer') {
      ctx.status = fault.status;
      if (fault.type) ctx.type = fault.type;
      for (const [name, value] of Object.entries(fault.headers ?? {})) ctx.set(name, value);
      ctx.body = fault.body;
      return;
    }
    if (fault?.kind === 'delay') {
      const socket = ctx.req.socket;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, fault.ms);
        socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (socket.destroyed) return;
    }
    await next();
  };
  return {
    middleware,
    set: (path, fault) => faults.set(path, fault),
    clear: () => faults.clear(),
  };
}
