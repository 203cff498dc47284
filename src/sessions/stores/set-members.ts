/**
 * The members of one index set, each with its expiry (epoch ms). Nearly every set has one member
 * (a provider session is one sign-in; most users have one session), and a Map costs about 250
 * bytes of heap where a pair costs about 50, measured: with one set per session that was a tenth
 * of a stored session's heap. So a set holds a single pair until a second member joins.
 */
export type Members = Map<string, number> | { id: string; expiresAt: number };

export function withMember(members: Members | undefined, id: string, expiresAt: number): Members {
  if (members === undefined || (!(members instanceof Map) && members.id === id)) return { id, expiresAt };
  if (members instanceof Map) return members.set(id, expiresAt);
  return new Map([
    [members.id, members.expiresAt],
    [id, expiresAt],
  ]);
}

/** The members for which `keep` holds (undefined when none is left), and how many were dropped. */
export function filterMembers(
  members: Members,
  keep: (id: string, expiresAt: number) => boolean,
): { members?: Members; dropped: number } {
  if (!(members instanceof Map)) return keep(members.id, members.expiresAt) ? { members, dropped: 0 } : { dropped: 1 };
  let dropped = 0;
  for (const [id, expiresAt] of members) {
    if (!keep(id, expiresAt)) {
      members.delete(id);
      dropped += 1;
    }
  }
  if (members.size === 0) return { dropped };
  const [only] = members;
  return { members: members.size === 1 && only ? { id: only[0], expiresAt: only[1] } : members, dropped };
}

export function memberIds(members: Members): string[] {
  return members instanceof Map ? [...members.keys()] : [members.id];
}
