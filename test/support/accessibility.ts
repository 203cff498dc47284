import axe from 'axe-core';
import type { Page } from 'playwright-core';

export interface Violation {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core on the page and returns every violation it finds, whatever its impact.
 * The axe source goes in through page.evaluate, i.e. the DevTools protocol, which the page's
 * Content-Security-Policy does not govern; addScriptTag({ content }) would be an inline script
 * without our nonce and be blocked. So the audit needs no bypassCSP: every page keeps its real CSP.
 */
export async function axeViolations(page: Page): Promise<Violation[]> {
  await page.evaluate(`${axe.source}\nvoid 0;`);
  return page.evaluate(async () => {
    const { axe: injected } = window as unknown as { axe: typeof axe };
    const results = await injected.run(document, { resultTypes: ['violations'] });
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
  });
}

/** The serious and critical violations axe-core finds on the page (see axeViolations). */
export async function seriousViolations(page: Page): Promise<Violation[]> {
  const violations = await axeViolations(page);
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}
