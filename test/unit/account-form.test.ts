import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PREFERRED_NAME_MAX, readAccountForm, timeZones } from '../../src/routes/account-form.js';

describe('readAccountForm', () => {
  it('accepts a name and a time zone, and turns blanks into removals', () => {
    expect(readAccountForm({ preferredName: '  Alice  ', timeZone: 'Europe/Paris' }).change).toEqual({
      preferredName: 'Alice',
      timeZone: 'Europe/Paris',
    });
    expect(readAccountForm({ preferredName: '', timeZone: '' }).change).toEqual({
      preferredName: null,
      timeZone: null,
    });
    expect(readAccountForm(undefined).change).toEqual({ preferredName: null, timeZone: null });
  });

  it('accepts names in any script with apostrophes, hyphens and periods', () => {
    for (const name of ["Zoë O'Brien", 'Jean-Luc', 'J. R. R.', '李小龙', 'Ægir', 'Renée']) {
      expect(readAccountForm({ preferredName: name }).change?.preferredName).toBe(name.normalize('NFC'));
    }
  });

  it('refuses a name with markup, digits or control characters, and says so beside the field', () => {
    for (const name of ['<script>alert(1)</script>', 'R2D2', 'a\u0000b', 'line\nbreak', '-dash first', '"quoted"']) {
      const form = readAccountForm({ preferredName: name, timeZone: 'UTC' });
      expect(form.change).toBeUndefined();
      expect(form.errors.preferredName).toMatch(/letters/);
      expect(form.errors.timeZone).toBeUndefined();
      expect(form.values.preferredName).toBe(name.trim());
    }
  });

  it('refuses a name longer than the limit, counting characters rather than bytes', () => {
    expect(readAccountForm({ preferredName: 'é'.repeat(PREFERRED_NAME_MAX) }).change).toBeDefined();
    const form = readAccountForm({ preferredName: 'a'.repeat(PREFERRED_NAME_MAX + 1) });
    expect(form.errors.preferredName).toBe(
      `Use at most ${PREFERRED_NAME_MAX} characters (this one has ${PREFERRED_NAME_MAX + 1}).`,
    );
  });

  it('accepts only time zones from the list', () => {
    expect(timeZones).toContain('UTC');
    expect(timeZones).toContain('America/New_York');
    for (const zone of ['Mars/Olympus', 'europe/paris ', '../etc/passwd', '<b>']) {
      expect(readAccountForm({ timeZone: zone }).errors.timeZone).toBe('Choose a time zone from the list.');
    }
  });

  it('refuses settings heavier than the size limit as a whole', () => {
    const form = readAccountForm({ preferredName: 'Alice', timeZone: 'Europe/Paris' }, 40);
    expect(form.change).toBeUndefined();
    expect(form.errors.form).toBe('Your settings are too large to save (at most 40 bytes).');
  });

  it('never accepts a value outside the rules, whatever is posted', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 40 }), fc.anything(), (name, zone, extra) => {
        const form = readAccountForm({ preferredName: name, timeZone: zone, other: extra });
        if (!form.change) return;
        const { preferredName, timeZone } = form.change;
        expect(preferredName === null || /^[\p{L}\p{M}][\p{L}\p{M} .'’-]*$/u.test(preferredName)).toBe(true);
        expect(preferredName === null || Array.from(preferredName).length <= PREFERRED_NAME_MAX).toBe(true);
        expect(timeZone === null || timeZones.includes(timeZone)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
