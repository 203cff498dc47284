const HOME = '/';
const MAX_LENGTH = 2048;

/**
 * Accepts a post-login destination only as a path that a browser resolves to BASE_URL's origin;
 * anything else becomes "/". The value is judged as the browser will follow it, not as written:
 * resolved against BASE_URL (dot segments removed, "\" read as "/", tabs and newlines dropped, as
 * the URL standard says), so `/.//evil.example`, which comes out as `//evil.example`, is refused
 * like `//evil.example`, `/\evil.example` and `https://evil.example`. Returns that resolved form
 * (path, query, fragment), starting with exactly one "/". Never throws.
 */
export function safeReturnTo(candidate: unknown, baseURL: string): string {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > MAX_LENGTH) return HOME;
  // Control characters never belong in a path, and CR/LF would be header injection in Location.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(candidate)) return HOME;
  // Only paths: no scheme, no host, no path relative to wherever the visitor happens to be.
  if (!candidate.startsWith('/')) return HOME;
  const base = new URL(baseURL);
  const resolved = resolve(candidate, base);
  if (!resolved) return HOME;
  const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  // Percent-encoding can make the path several times longer than what came in: it goes into the
  // state (a cookie) and a Location header, both of which have size limits.
  if (path.length > MAX_LENGTH || hasDotSegment(resolved.pathname)) return HOME;
  return staysOnSite(path, base) ? path : HOME;
}

/**
 * The URL standard removes every dot segment when it resolves a path, so a resolved path has
 * none left; one that has (Node 20's parser keeps `..` after a segment such as `.b`, where
 * browsers remove it) was not judged as the browser will follow it.
 */
function hasDotSegment(pathname: string): boolean {
  return pathname.split('/').some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment));
}

/** Where a browser would go; undefined when it could not go anywhere (`//`, an empty host). */
function resolve(value: string, base: URL): URL | undefined {
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
}

/**
 * True when `path`, followed by a browser, stays on `base`'s origin; and so does the same path
 * percent-decoded once and twice, so that a proxy or framework that decodes `%2F` or `%2e` on
 * the way (and hands the result to another redirect) cannot turn it into `//evil.example` either.
 */
function staysOnSite(path: string, base: URL): boolean {
  let value = path;
  for (let decodings = 0; decodings <= 2; decodings += 1) {
    if (!value.startsWith('/') || /^\/[/\\]/.test(value)) return false;
    const resolved = resolve(value, base);
    if (resolved?.origin !== base.origin || resolved.pathname.startsWith('//')) return false;
    if (decodings === 2) break;
    try {
      value = decodeURIComponent(value);
    } catch {
      return false;
    }
  }
  return true;
}
