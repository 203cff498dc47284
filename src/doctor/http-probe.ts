/** What one request to the provider brought back, with the times needed to compare clocks. */
export interface ProbeAnswer {
  status: number;
  location?: URL;
  /** The body as text, at most 64 KB (an error page, or JSON). */
  body: string;
  date?: Date;
  sentAt: number;
  receivedAt: number;
}

const MAX_BODY = 64 * 1024;

/** One request, never following redirects (where a provider sends the browser is the answer), bounded in time. */
export async function probe(url: URL | string, init: RequestInit, timeoutMs: number): Promise<ProbeAnswer> {
  const sentAt = Date.now();
  const response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  const body = (await response.text()).slice(0, MAX_BODY);
  const receivedAt = Date.now();
  const location = response.headers.get('location');
  const date = response.headers.get('date');
  return {
    status: response.status,
    ...(location ? { location: new URL(location, url) } : {}),
    body,
    ...(date && !Number.isNaN(Date.parse(date)) ? { date: new Date(date) } : {}),
    sentAt,
    receivedAt,
  };
}

/**
 * Text a provider wrote for developers, made safe for a terminal: tags and control characters
 * (escape sequences) removed, whitespace collapsed, cut to a readable length.
 */
export function readable(text: string, max = 200): string {
  const plain = text
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\p{Cc}/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

/** An OAuth error code, where a provider's error page gets to the point. */
const ERROR_CODE =
  /\b(?:invalid|unauthorized|unsupported|access|server|temporarily|login|consent|interaction)_[a-z_]+\b/;

/** The readable text of an error page, starting at the OAuth error code when there is one (after the page's header). */
export function errorPageText(body: string): string {
  const text = readable(body, Number.POSITIVE_INFINITY);
  const start = ERROR_CODE.exec(text)?.index ?? 0;
  return readable(text.slice(start));
}

/** Why a request failed, in a few words (the cause of undici's "fetch failed" says more than it). */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'no answer in time';
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail =
    typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : undefined;
  return readable(detail ? `${error.message} (${detail})` : error.message);
}
