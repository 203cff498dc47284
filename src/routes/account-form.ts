import type { SettingsChange } from '../sign-in/management-api.js';

export const PREFERRED_NAME_MAX = 40;
/** The most the saved settings may weigh as JSON: well within the provider's metadata limit. */
export const SETTINGS_MAX_BYTES = 1024;

/** Letters (any script) and combining marks first, then also spaces, apostrophes, hyphens and periods. */
const NAME_PATTERN = /^[\p{L}\p{M}][\p{L}\p{M} .'’-]*$/u;
const TIME_ZONES = new Set(Intl.supportedValuesOf('timeZone'));

/** The time zones the form offers (IANA names, as the browser's Intl knows them). */
export const timeZones: readonly string[] = [...TIME_ZONES, 'UTC'].filter((zone, i, all) => all.indexOf(zone) === i);

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
  const field = (name: string) => {
    const value = body?.[name];
    return typeof value === 'string' ? value.normalize('NFC').trim() : '';
  };
  const values = { preferredName: field('preferredName'), timeZone: field('timeZone') };
  const errors: AccountForm['errors'] = {};

  const nameLength = Array.from(values.preferredName).length;
  if (nameLength > PREFERRED_NAME_MAX)
    errors.preferredName = `Use at most ${PREFERRED_NAME_MAX} characters (this one has ${nameLength}).`;
  else if (values.preferredName !== '' && !NAME_PATTERN.test(values.preferredName))
    errors.preferredName =
      "Use letters, spaces, apostrophes ('), hyphens (-) and periods only, starting with a letter.";

  if (values.timeZone !== '' && !TIME_ZONES.has(values.timeZone) && values.timeZone !== 'UTC')
    errors.timeZone = 'Choose a time zone from the list.';

  const change: SettingsChange = {
    preferredName: values.preferredName === '' ? null : values.preferredName,
    timeZone: values.timeZone === '' ? null : values.timeZone,
  };
  if (Object.keys(errors).length === 0 && Buffer.byteLength(JSON.stringify(change)) > maxBytes)
    errors.form = `Your settings are too large to save (at most ${maxBytes} bytes).`;

  return Object.keys(errors).length === 0 ? { values, errors, change } : { values, errors };
}
