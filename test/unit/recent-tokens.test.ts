import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { recentTokens } from '../../src/sign-in/recent-tokens.js';

const token = (n: number) => ({ accessToken: `access-${n}`, expiresAt: n, refreshToken: 'never kept' });

describe('recentTokens', () => {
  it('holds at most `max` sessions, and always the one used last', () => {
    const operation = fc.oneof(
      // n ≥ 1: every token here is fresh (the clock reads 0), so only the bound can drop one.
      fc.record({ kind: fc.constant('set' as const), id: fc.integer({ min: 0, max: 20 }), n: fc.integer({ min: 1 }) }),
      fc.record({ kind: fc.constant('get' as const), id: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('delete' as const), id: fc.integer({ min: 0, max: 20 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(operation, { maxLength: 60 }), (max, operations) => {
        const recent = recentTokens(max, () => 0);
        // What a store without a bound would give, in order of last use.
        const model = new Map<string, { accessToken: string; expiresAt: number }>();
        for (const op of operations) {
          const id = `session-${op.id}`;
          if (op.kind === 'set') {
            recent.set(id, token(op.n));
            model.delete(id);
            model.set(id, { accessToken: `access-${op.n}`, expiresAt: op.n });
            expect(recent.get(id)).toEqual(model.get(id));
          } else if (op.kind === 'delete') {
            recent.delete(id);
            model.delete(id);
            expect(recent.get(id)).toBeUndefined();
          } else {
            const got = recent.get(id);
            // Either forgotten (the bound) or exactly what was set last.
            if (got !== undefined) expect(got).toEqual(model.get(id));
            if (got !== undefined) {
              const entry = model.get(id);
              model.delete(id);
              if (entry) model.set(id, entry);
            }
          }
          const kept = [...model.keys()].filter((key) => recent.get(key) !== undefined);
          expect(kept.length).toBeLessThanOrEqual(max);
        }
      }),
    );
  });

  it('drops the least recently used session first, and never keeps the refresh token', () => {
    const recent = recentTokens(2, () => 0);
    recent.set('a', token(1));
    recent.set('b', token(2));
    recent.get('a');
    recent.set('c', token(3));
    expect(recent.get('b')).toBeUndefined();
    expect(recent.get('a')).toEqual({ accessToken: 'access-1', expiresAt: 1 });
    expect(recent.get('c')).toEqual({ accessToken: 'access-3', expiresAt: 3 });
  });
});

describe('recentTokens and time', () => {
  it('drops expired entries from the least recently used end as others are stored, before the bound is reached', () => {
    let clock = 1_000_000;
    const recent = recentTokens(100, () => clock);
    recent.set('ended-a', { accessToken: 'a', expiresAt: 1_000 + 10 });
    recent.set('ended-b', { accessToken: 'b', expiresAt: 1_000 + 20 });
    recent.set('live', { accessToken: 'c', expiresAt: 1_000 + 3600 });
    clock += 30_000;
    recent.set('new', { accessToken: 'd', expiresAt: 1_030 + 3600 });
    expect(recent.get('ended-a')).toBeUndefined();
    expect(recent.get('ended-b')).toBeUndefined();
    expect(recent.get('live')?.accessToken).toBe('c');
    expect(recent.get('new')?.accessToken).toBe('d');
  });
});
