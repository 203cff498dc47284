import request from 'supertest';

type Agent = ReturnType<typeof request.agent>;
export type Page = request.Response & { url: string };

/**
 * A minimal browser over supertest: one cookie jar per origin, redirects followed by hand so every
 * hop is visible and every Set-Cookie lands in the jar of the origin that sent it.
 */
export class TestBrowser {
  private readonly agents = new Map<string, Agent>();
  /** Every response this browser received, in order (for "nothing leaks into any page" checks). */
  readonly history: Page[] = [];

  /**
   * `ca`: a certificate to trust for https origins (the HTTPS test mode's self-signed one).
   * `headers` go with every request, as a browser's User-Agent does.
   */
  constructor(private readonly options: { ca?: string; headers?: Record<string, string> } = {}) {}

  private agentFor(origin: string): Agent {
    let agent = this.agents.get(origin);
    if (!agent) {
      agent = request.agent(origin);
      if (this.options.ca && origin.startsWith('https:')) agent.ca(this.options.ca);
      this.agents.set(origin, agent);
    }
    return agent;
  }

  private record(response: request.Response, url: URL): Page {
    const page = Object.assign(response, { url: url.href });
    this.history.push(page);
    return page;
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<Page> {
    const target = new URL(url);
    return this.record(
      await this.agentFor(target.origin)
        .get(`${target.pathname}${target.search}`)
        .set({ ...this.options.headers, ...headers })
        .redirects(0),
      target,
    );
  }

  async post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Page> {
    const target = new URL(url);
    const response = await this.agentFor(target.origin)
      .post(`${target.pathname}${target.search}`)
      .type('form')
      .send(form)
      .set({ ...this.options.headers, ...headers })
      .redirects(0);
    return this.record(response, target);
  }

  /**
   * Follows redirects from `page` (at most `maxHops`), returning every page visited after it.
   * Stops before requesting a URL for which `stopBefore` is true, and reports it as `next`.
   */
  async follow(
    page: Page,
    stopBefore: (url: URL) => boolean = () => false,
    maxHops = 10,
  ): Promise<{ visited: Page[]; next?: URL }> {
    const visited: Page[] = [];
    let current = page;
    for (let hop = 0; hop < maxHops && isRedirect(current); hop += 1) {
      const target = new URL(current.headers.location as string, current.url);
      if (stopBefore(target)) return { visited, next: target };
      current = await this.get(target.href);
      visited.push(current);
    }
    return { visited };
  }

  /** Drops every cookie of an origin, as clearing one site's data does; other origins keep theirs. */
  forget(origin: string): void {
    this.agents.delete(new URL(origin).origin);
  }

  /** Cookies this browser holds for an origin, by name. */
  cookies(origin: string): Record<string, string> {
    const agent = this.agents.get(origin) as unknown as
      { jar?: { getCookies(access: unknown): { name: string; value: string }[] } } | undefined;
    const url = new URL(origin);
    const access = { domain: url.hostname, path: '/', secure: url.protocol === 'https:', script: false };
    return Object.fromEntries((agent?.jar?.getCookies(access) ?? []).map((cookie) => [cookie.name, cookie.value]));
  }
}

export function isRedirect(page: { status: number }): boolean {
  return page.status >= 300 && page.status < 400;
}

export function last<T>(items: T[]): T {
  const item = items[items.length - 1];
  if (item === undefined) throw new Error('expected at least one item');
  return item;
}
