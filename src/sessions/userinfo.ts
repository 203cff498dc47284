import { z } from 'zod';

/**
 * The part of a userinfo response a session relies on; everything else is kept verbatim. Checked
 * when sign-in stores it (sign-in/user-profile.ts parseUserinfo), read by pages through userProfile.
 */
export const userinfoSchema = z
  .object({
    sub: z.string().min(1),
    name: z.string().optional(),
    nickname: z.string().optional(),
    email: z.string().optional(),
    email_verified: z.boolean().optional(),
    picture: z.string().optional(),
  })
  .loose();

/** A validated userinfo response: what the session keeps about the user, as the Flask tutorial kept `session['profile']`. */
export type Userinfo = z.infer<typeof userinfoSchema>;
