import { demoUserClaims, demoUsers } from '../../src/dev-provider/demo-users.js';
import { parseUserinfo, userProfile, type UserProfile } from '../../src/sign-in/user-profile.js';

/**
 * The profile the app keeps for the benchmark's user (the first demo user), built from the claims
 * the benchmark provider's /userinfo returns, so the baseline renders the same page. Built by the
 * driver and handed to the baseline as JSON (BENCH_USER), so the baseline loads none of this code.
 * The driver checks that both pages really have the same size before it measures anything.
 */
export function benchUser(providerOrigin: string): UserProfile {
  const [user] = demoUsers;
  if (!user) throw new Error('no demo user');
  return userProfile(parseUserinfo(demoUserClaims(user, `${providerOrigin}/`)), { roles: user.roles });
}
