import { BlockList, isIPv4 } from 'node:net';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/**
 * Whether `url` points at this machine: localhost, 127.0.0.0/8 or [::1]. Judged on the WHATWG
 * URL parser's hostname, as every HTTP client sees it, so 127.1 and [0:0:0:0:0:0:0:1] count, and
 * names that merely start like one (localhost.example.com, 127.0.0.1.nip.io) do not.
 * Throws a TypeError when `url` is not a URL.
 */
export function isLoopbackUrl(url: string): boolean {
  const { hostname } = new URL(url);
  if (hostname === 'localhost') return true;
  if (hostname.startsWith('[')) return loopback.check(hostname.slice(1, -1), 'ipv6');
  return isIPv4(hostname) && loopback.check(hostname, 'ipv4');
}
