import type { Child } from './children.js';
import { load, type LoadResult } from './load.js';
import type { BenchSettings } from './settings.js';

export interface Scenario {
  name: string;
  path: string;
  cookies?: string[];
}

export interface ScenarioRounds {
  scenario: string;
  app: LoadResult[];
  baseline: LoadResult[];
}

/**
 * Loads the app and the baseline alternately, `rounds` times per scenario, swapping which goes
 * first each round so a slow drift of the machine's other load does not favour either.
 */
export async function alternate(
  app: Child,
  baseline: Child,
  scenarios: Scenario[],
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<ScenarioRounds[]> {
  const { connections, loadSeconds, warmupSeconds } = settings;
  for (const scenario of scenarios) {
    for (const target of [app, baseline]) await load(target, { ...scenario, connections, seconds: warmupSeconds });
  }
  const results = scenarios.map((scenario) => ({
    scenario: scenario.name,
    app: [] as LoadResult[],
    baseline: [] as LoadResult[],
  }));
  for (let round = 0; round < settings.rounds; round += 1) {
    for (const [index, scenario] of scenarios.entries()) {
      const order = round % 2 === 0 ? [app, baseline] : [baseline, app];
      for (const target of order) {
        const result = await load(target, { ...scenario, connections, seconds: loadSeconds });
        results[index]?.[target === app ? 'app' : 'baseline'].push(result);
        log(
          `  round ${round + 1} ${scenario.name} ${target.name}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`,
        );
      }
    }
  }
  return results;
}

export function profileScenarios(cookies: string[], suffix = ''): Scenario[] {
  const [first = ''] = cookies;
  return [
    { name: `GET /profile, 1 session${suffix}`, path: '/profile', cookies: [first] },
    { name: `GET /profile, ${cookies.length.toLocaleString('en')} sessions${suffix}`, path: '/profile', cookies },
  ];
}

/** Bytes each server sends for `path`: the baseline must send as many as the app, or the ratio compares unlike pages. */
export async function pageBytes(
  app: Child,
  baseline: Child,
  path: string,
  cookie: string,
): Promise<{ path: string; app: number; baseline: number }> {
  const size = async (origin: string) =>
    (await (await fetch(`${origin}${path}`, { headers: { cookie }, redirect: 'manual' })).arrayBuffer()).byteLength;
  return { path, app: await size(app.origin), baseline: await size(baseline.origin) };
}
