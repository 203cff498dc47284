/**
 * Accepts a post-login destination only if it is a path on this site; anything else becomes "/".
 * Guards against open redirects such as `//evil.example`, `/\evil.example`, `https://evil.example`
 * and their percent-encoded or whitespace-smuggled variants.
 */
export function safeReturnTo(candidate: unknown, fallback = '/'): string {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > 2048) return fallback;
  // Browsers ignore tabs and newlines inside URLs and treat "\" like "/", so judge the value
  // as a browser would read it, and refuse control characters outright (header injection).
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(candidate)) return fallback;
  let decoded = candidate;
  try {
    // Decoding twice catches "%252F%252F" as well as "%2F%2F".
    decoded = decodeURIComponent(decodeURIComponent(candidate));
  } catch {
    return fallback;
  }
  for (const value of [candidate, decoded]) {
    if (!value.startsWith('/') || /^\/[/\\]/.test(value)) return fallback;
  }
  // Resolve against a throwaway origin: anything that leaves it was not a plain path.
  const base = 'http://return-to.invalid';
  const resolved = new URL(candidate, base);
  if (resolved.origin !== base) return fallback;
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}
