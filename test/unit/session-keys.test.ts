import { describe, expect, it } from 'vitest';
import { deriveSecretKeys, indexNames, userLogId } from '../../src/sessions/session-keys.js';

const [a, b] = ['a'.repeat(32), 'b'.repeat(32)];

describe('deriveSecretKeys', () => {
  it('gives each secret its own key id, and counts a repeated secret once', () => {
    const keys = deriveSecretKeys([a, b, a]);
    expect(keys).toHaveLength(2);
    expect(keys[0]?.id).not.toBe(keys[1]?.id);
    expect(keys[0]?.id).toMatch(/^[\w-]{8}$/);
  });
});

describe('indexNames', () => {
  it('names a value under every secret, the current one first, and never contains the value', () => {
    const names = indexNames(deriveSecretKeys([b, a]), 'user', 'auth0|alice');
    expect(names).toHaveLength(2);
    expect(names[1]).toBe(indexNames(deriveSecretKeys([a]), 'user', 'auth0|alice')[0]);
    expect(names.join()).not.toContain('alice');
    expect(indexNames(deriveSecretKeys([a]), 'sid', 'auth0|alice')[0]).not.toBe(names[1]);
  });
});

describe('userLogId', () => {
  it('is a short keyed hash of the user id: the same for the same user and secret, never the id', () => {
    const id = userLogId(deriveSecretKeys([a]), 'samlp|acme|alice@acme.example');
    expect(id).toMatch(/^[\w-]{16}$/);
    expect(userLogId(deriveSecretKeys([a, b]), 'samlp|acme|alice@acme.example')).toBe(id);
    expect(userLogId(deriveSecretKeys([b]), 'samlp|acme|alice@acme.example')).not.toBe(id);
    expect(userLogId(deriveSecretKeys([a]), 'samlp|acme|bob@acme.example')).not.toBe(id);
  });
});
