import { describe, expect, it } from 'vitest';
import { filterMembers, memberIds, withMember } from '../../src/sessions/stores/set-members.js';

describe('set members', () => {
  it('holds one member as a pair, and a Map from the second one on', () => {
    const one = withMember(undefined, 'a', 1);
    expect(one).toEqual({ id: 'a', expiresAt: 1 });
    expect(withMember(one, 'a', 2)).toEqual({ id: 'a', expiresAt: 2 });
    const two = withMember(one, 'b', 3);
    expect(two).toBeInstanceOf(Map);
    expect(memberIds(two)).toEqual(['a', 'b']);
  });

  it('filters back down to a pair, or to nothing, counting what it dropped', () => {
    const three = withMember(withMember(withMember(undefined, 'a', 1), 'b', 2), 'c', 3);
    const kept = filterMembers(three, (_id, expiresAt) => expiresAt >= 3);
    expect(kept).toEqual({ members: { id: 'c', expiresAt: 3 }, dropped: 2 });
    expect(filterMembers({ id: 'c', expiresAt: 3 }, () => false)).toEqual({ dropped: 1 });
    expect(filterMembers({ id: 'c', expiresAt: 3 }, () => true)).toEqual({
      members: { id: 'c', expiresAt: 3 },
      dropped: 0,
    });
  });
});
