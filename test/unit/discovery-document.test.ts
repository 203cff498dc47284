import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { discoverySchema } from '../../src/sign-in/provider-metadata.js';

const document = { issuer: 'https://op.example/', jwks_uri: 'https://op.example/jwks' };

describe('the discovery document', () => {
  it('keeps a URL as the URL parser reads it: trimmed, without tabs and newlines', () => {
    expect(
      v.parse(discoverySchema, {
        ...document,
        jwks_uri: '\u00a0https://op.example/jw\tks\n ',
        end_session_endpoint: ' https://op.example/\r\nlogout',
      }),
    ).toEqual({ ...document, end_session_endpoint: 'https://op.example/logout' });
  });

  it('accepts any string the URL parser takes, once trimmed, and keeps it so', () => {
    const url = fc.oneof(
      fc.webUrl(),
      fc.string(),
      fc
        .tuple(fc.constantFrom(' ', '\t', '\n', '\u00a0', '\ufeff', ''), fc.webUrl(), fc.constantFrom(' ', '\r\n', ''))
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(url, (jwksUri) => {
        const parsed = v.safeParse(discoverySchema, { ...document, jwks_uri: jwksUri });
        expect(parsed.success).toBe(URL.canParse(jwksUri.trim()));
        if (parsed.success) expect(parsed.output.jwks_uri).toBe(jwksUri.trim().replace(/[\t\n\r]/g, ''));
      }),
    );
  });

  it('keeps the members it does not check, and refuses one without an issuer or keys', () => {
    expect(v.parse(discoverySchema, { ...document, token_endpoint: 'https://op.example/token' })).toEqual({
      ...document,
      token_endpoint: 'https://op.example/token',
    });
    for (const refused of [
      [document],
      { ...document, issuer: '' },
      { issuer: document.issuer },
      { ...document, jwks_uri: 'jwks' },
      { ...document, end_session_endpoint: null },
    ])
      expect(v.safeParse(discoverySchema, refused).success).toBe(false);
  });
});
