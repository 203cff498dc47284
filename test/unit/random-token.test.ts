import { describe, expect, it } from 'vitest';
import { createRandomTokens } from '../../src/middleware/random-token.js';

describe('createRandomTokens', () => {
  it('hands out tokens of the asked length that never repeat, across pool refills', () => {
    const token = createRandomTokens();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i += 1) {
      const value = token(16);
      expect(Buffer.from(value, 'base64')).toHaveLength(16);
      seen.add(value);
    }
    expect(seen.size).toBe(1000);
  });

  it('refuses a token larger than its pool', () => {
    expect(() => createRandomTokens()(5000)).toThrow(RangeError);
  });
});
