import type { SettingsChange } from '../sign-in/management-api.js';
import { isPreferredName, isTimeZone, PREFERRED_NAME_MAX, timeZones } from '../sign-in/settings-rules.js';

export { PREFERRED_NAME_MAX, timeZones };

/** The most the saved settings may weigh as JSON: well within the provider's metadata limit. */
export const SETTINGS_MAX_BYTES = 1024;

export interface AccountForm {
  values: { preferredName: string; timeZone: string };
  /** One message per field at fault, shown beside it. */
  errors: Partial<Record<'preferredName' | 'timeZone' | 'form', string>>;
  /** Set when there are no errors: what to send to the API (empty fields remove the setting). */
  change?: SettingsChange;
}

/**
 * Checks the /account form. Blank means "remove"; every other value must be one a person would
 * type (a name) or pick (a time zone), so nothing stored can surprise a page or the API.
 */
export function readAccountForm(
  body: Record<string, unknown> | undefined,
  maxBytes: number = SETTINGS_MAX_BYTES,
): AccountForm {
  const errors: AccountForm['errors'] = {};
  const field = (name: 'preferredName' | 'timeZone') => {
    const value = body?.[name];
    if (typeof value === 'string') return value.normalize('NFC').trim();
    // Sent twice (an array): neither value is what the person meant, and blank would remove the setting.
    if (value !== undefined) errors[name] = 'Send this field once.';
    return '';
  };
  const values = { preferredName: field('preferredName'), timeZone: field('timeZone') };

  const nameLength = Array.from(values.preferredName).length;
  if (errors.preferredName === undefined && values.preferredName !== '') {
    if (nameLength > PREFERRED_NAME_MAX)
      errors.preferredName = `Use at most ${PREFERRED_NAME_MAX} characters (this one has ${nameLength}).`;
    else if (!isPreferredName(values.preferredName))
      errors.preferredName =
        "Use letters, spaces, apostrophes ('), hyphens (-) and periods only, starting with a letter.";
  }

  if (errors.timeZone === undefined && values.timeZone !== '' && !isTimeZone(values.timeZone))
    errors.timeZone = 'Choose a time zone from the list.';

  const change: SettingsChange = {
    preferredName: values.preferredName === '' ? null : values.preferredName,
    timeZone: values.timeZone === '' ? null : values.timeZone,
  };
  if (Object.keys(errors).length === 0 && Buffer.byteLength(JSON.stringify(change)) > maxBytes)
    errors.form = `Your settings are too large to save (at most ${maxBytes} bytes).`;

  return Object.keys(errors).length === 0 ? { values, errors, change } : { values, errors };
}
