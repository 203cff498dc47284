/** One line of the doctor's checklist. `fix` says what to change when the check did not pass. */
export interface CheckResult {
  title: string;
  status: 'pass' | 'fail' | 'warn' | 'skip';
  detail: string;
  fix?: string;
}

const LABELS: Record<CheckResult['status'], string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' };

export function failed(results: CheckResult[]): CheckResult[] {
  return results.filter((result) => result.status === 'fail');
}

/** The checklist as a person reads it in a terminal or a CI log: plain text, one check per line, fixes indented. */
export function formatChecklist(heading: string[], results: CheckResult[]): string {
  const lines = [...heading, ''];
  for (const result of results) {
    lines.push(`  ${LABELS[result.status]}  ${result.title}: ${result.detail}`);
    if (result.fix && result.status !== 'pass') lines.push(`        Fix: ${result.fix}`);
  }
  const failures = failed(results).length;
  // A skipped check neither passed nor failed: counting it either way would overstate the result.
  const ran = results.filter((result) => result.status !== 'skip').length;
  const skips = results.length - ran;
  const skipNote = skips > 0 ? ` (${skips} skipped)` : '';
  const warnNote = results.some((result) => result.status === 'warn') ? ', see the warnings above' : '';
  lines.push(
    '',
    failures === 0
      ? `All ${ran} checks passed${skipNote}${warnNote}.`
      : `${failures} of ${ran} checks failed${skipNote}. Fix them, then run npm run doctor again.`,
  );
  return `${lines.join('\n')}\n`;
}
