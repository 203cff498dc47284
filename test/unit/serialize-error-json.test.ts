import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serializeError } from '../../src/logger.js';

function parseErrorOf(body: string): unknown {
  try {
    JSON.parse(body);
  } catch (error) {
    return error;
  }
  throw new Error('expected the body not to be JSON');
}

/**
 * A JSON parse error quotes the body it choked on: whole for a short body, an excerpt around the
 * fault with ellipses for a longer one (`, "<html>Dear"... is not valid JSON`). Only the first was
 * dropped at first, so a provider's (or a proxy's) non-JSON answer to discovery or the key set
 * reached the log through the error's message or cause.
 */
describe('response-body excerpts in JSON parse errors', () => {
  it('keeps no part of a long non-JSON body that a parse error quotes, for any such body', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z][a-z@.]{11,30}$/),
        fc.string({ minLength: 40, maxLength: 200 }),
        (start, rest) => {
          const serialized = JSON.stringify(serializeError(parseErrorOf(`${start}${rest}`)));
          expect(serialized).not.toContain(start.slice(0, 8));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('keeps nothing of an HTML error page naming a person, in the message or the cause', () => {
    const body = `<html><body>Dear alice@example.com, your session ${'x'.repeat(80)}</body></html>`;
    const wrapped = new Error('the provider key set could not be fetched', { cause: parseErrorOf(body) });
    const serialized = JSON.stringify(serializeError(wrapped));
    expect(serialized).not.toContain('<html>');
    expect(serialized).not.toMatch(/Dear|alice/);
  });

  it('keeps nothing of a body quoted in the middle, around the fault', () => {
    const body = `{"padding": "${'p'.repeat(80)}", "bob@ex.io": x, "more": "${'q'.repeat(80)}"}`;
    const serialized = JSON.stringify(serializeError(parseErrorOf(body)));
    expect(serialized).not.toContain('@ex.io');
  });
});
