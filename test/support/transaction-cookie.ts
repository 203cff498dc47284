import { createRequire } from 'node:module';

/** What express-openid-connect keeps in its transaction cookie during a sign-in: signed, not encrypted. */
export interface TransactionChecks {
  nonce: string;
  state: string;
  code_verifier?: string;
}

interface LibraryCrypto {
  getKeyStore(secret: string[]): [Uint8Array, Uint8Array[]];
  signCookie(name: string, value: string, key: Uint8Array): Promise<string>;
}

// The library's own signing, as an attacker who knew SECRET (or a bug in /login) would use it.
const libraryCrypto = createRequire(import.meta.url)('express-openid-connect/lib/crypto.js') as LibraryCrypto;

/** Reads a transaction cookie value as the browser holds it (percent-encoded `json.signature`). */
export function readTransactionCookie(held: string): TransactionChecks {
  const value = decodeURIComponent(held);
  return JSON.parse(value.slice(0, value.lastIndexOf('.'))) as TransactionChecks;
}

/**
 * A transaction cookie value (percent-encoded, ready for a Cookie header) that the app accepts as
 * its own: `checks` signed with the app's SECRET under the cookie's name.
 */
export async function signTransactionCookie(
  name: string,
  checks: TransactionChecks,
  secrets: string[],
): Promise<string> {
  const [key] = libraryCrypto.getKeyStore(secrets);
  return encodeURIComponent(await libraryCrypto.signCookie(name, JSON.stringify(checks), key));
}

/** A state value as the app encodes it (base64url JSON), carrying whatever `returnTo` is given. */
export function stateWith(returnTo: string): string {
  return Buffer.from(JSON.stringify({ returnTo, csrf: 'forged' })).toString('base64url');
}
