import * as v from 'valibot';

/**
 * A JSON object, and not an array: valibot's object and record schemas take any non-null object,
 * arrays included, where a provider's or an API's answer must be an object to be one.
 */
export const jsonObject = v.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
);
