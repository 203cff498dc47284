/**
 * Things that must never appear in a response body: stack frames, file paths, and the names
 * or messages of the libraries underneath.
 */
export const LEAK_PATTERNS: RegExp[] = [
  /\bat .+:\d+:\d+/,
  /node_modules/,
  /\/work\/|\/src\/|\.ts:\d+|\.js:\d+/,
  /openid-client|oauth4webapi|express-openid-connect|oidc-provider/i,
  // The token libraries' names and codes, not the same letters inside a random token (a CSRF token's base64url).
  /(?:^|[^\w-])(?:JW[TSEK]|jose)|ERR_JW[TSEK]|ERR_JOSE/,
  /auth_verification/,
  /TypeError|ReferenceError|Error:/,
];

export function leaksIn(body: string): string[] {
  return LEAK_PATTERNS.filter((pattern) => pattern.test(body)).map(String);
}

/** Parses one Set-Cookie header line into its name, value and attributes (lower-cased keys). */
export function parseSetCookie(line: string): {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
} {
  const [pair = '', ...attributeParts] = line.split(';').map((part) => part.trim());
  const separator = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const part of attributeParts) {
    const [key = '', ...rest] = part.split('=');
    attributes[key.toLowerCase()] = rest.length > 0 ? rest.join('=') : true;
  }
  return { name: pair.slice(0, separator), value: pair.slice(separator + 1), attributes };
}

export function setCookies(headers: Record<string, unknown>): ReturnType<typeof parseSetCookie>[] {
  const raw = headers['set-cookie'];
  const lines = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
  return lines.map(parseSetCookie);
}
