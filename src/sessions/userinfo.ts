import * as v from 'valibot';

/**
 * The part of a userinfo response a session relies on; everything else is kept verbatim. Checked
 * when sign-in stores it (sign-in/user-profile.ts parseUserinfo), read by pages through userProfile.
 */
export const userinfoSchema = v.looseObject({
  sub: v.pipe(v.string(), v.minLength(1)),
  name: v.optional(v.string()),
  nickname: v.optional(v.string()),
  email: v.optional(v.string()),
  email_verified: v.optional(v.boolean()),
  picture: v.optional(v.string()),
});

/** A validated userinfo response: what the session keeps about the user, as the Flask tutorial kept `session['profile']`. */
export type Userinfo = v.InferOutput<typeof userinfoSchema>;
