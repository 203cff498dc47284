import type { Child } from './children.js';
import { load, type LoadResult } from './load.js';
import type { BenchSettings } from './settings.js';

/** One server loaded in a scenario, with the cookies it is sent (none for anonymous pages). */
export interface Side {
  /** The report's row for it, e.g. `GET /profile, 1 session (Redis)`; `baseline` for the baseline. */
  label: string;
  target: Child;
  cookies?: string[];
  /** Warm-up before the rounds (default: the settings'), e.g. longer for an instance loaded in no other scenario. */
  warmupSeconds?: number;
}

export interface Scenario {
  path: string;
  /**
   * Which targets apply: anonymous `/` or the signed-in `/profile` against the baseline, or
   * `token`: the token page against /profile (see tokenPageScenario).
   */
  kind: 'anonymous' | 'profile' | 'token';
  /** Loaded in turn, every round; exactly one is labelled `baseline`, except in a `token` scenario. */
  sides: Side[];
  /** Labels of two app sides to compare directly (same rounds): many sessions against one. */
  flatness?: { many: string; one: string };
}

export interface ScenarioRounds {
  path: string;
  kind: Scenario['kind'];
  sides: { label: string; results: LoadResult[] }[];
  flatness?: Scenario['flatness'];
}

/**
 * Loads each scenario's sides in turn, `rounds` times, rotating which goes first each round (with
 * two sides: swapping), so a slow drift of the machine's other load favours none; the report
 * takes medians. Every run is bounded in time by load().
 */
export async function alternate(
  scenarios: Scenario[],
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<ScenarioRounds[]> {
  const { connections, loadSeconds, warmupSeconds } = settings;
  for (const scenario of scenarios) {
    for (const side of scenario.sides) {
      const seconds = side.warmupSeconds ?? warmupSeconds;
      await load(side.target, { path: scenario.path, cookies: side.cookies, connections, seconds });
    }
  }
  const results: ScenarioRounds[] = scenarios.map(({ path, kind, sides, flatness }) => ({
    path,
    kind,
    flatness,
    sides: sides.map(({ label }) => ({ label, results: [] as LoadResult[] })),
  }));
  for (let round = 0; round < settings.rounds; round += 1) {
    for (const [index, scenario] of scenarios.entries()) {
      const count = scenario.sides.length;
      for (let turn = 0; turn < count; turn += 1) {
        const sideIndex = (turn + round) % count;
        const side = scenario.sides[sideIndex];
        if (!side) continue;
        const result = await load(side.target, {
          path: scenario.path,
          cookies: side.cookies,
          connections,
          seconds: loadSeconds,
        });
        results[index]?.sides[sideIndex]?.results.push(result);
        log(
          `  round ${round + 1} ${side.label}${side.label === 'baseline' ? ` ${scenario.path}` : ''}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`,
        );
      }
    }
  }
  return results;
}

/** `/profile` with one session and with every session in `cookies` (a different one on each request). */
export function profileScenarios(app: Child, baseline: Child, cookies: string[], suffix = ''): Scenario[] {
  const [first = ''] = cookies;
  const scenario = (label: string, used: string[]): Scenario => ({
    path: '/profile',
    kind: 'profile',
    sides: [
      { label, target: app, cookies: used },
      // The same Cookie headers, so both servers parse the same requests.
      { label: 'baseline', target: baseline, cookies: used },
    ],
  });
  return [
    scenario(`GET /profile, 1 session${suffix}`, [first]),
    scenario(`GET /profile, ${cookies.length.toLocaleString('en')} sessions${suffix}`, cookies),
  ];
}

/** Labels of the token page scenario's sides. */
export const TOKEN_PAGE = {
  withToken: 'GET /profile asking for its access token first',
  refreshed: 'the same, the token refreshed since the sign-in',
  without: 'GET /profile, API configured',
} as const;

type Signed = { app: Child; cookie: string };
type TokenPageSides = Partial<Record<keyof typeof TOKEN_PAGE, Signed>> & { without: Signed };

/**
 * A page that needs the user's still-valid access token (the token-page build, where /profile asks
 * for it first), with the token from the sign-in and with one refreshed since, against /profile of
 * the production build, all signed in with an API configured.
 */
export function tokenPageScenario(sides: TokenPageSides, suffix = ''): Scenario {
  return {
    path: '/profile',
    kind: 'token',
    sides: (Object.keys(TOKEN_PAGE) as (keyof typeof TOKEN_PAGE)[]).flatMap((key) => {
      const side = sides[key];
      return side ? [{ label: `${TOKEN_PAGE[key]}${suffix}`, target: side.app, cookies: [side.cookie] }] : [];
    }),
  };
}

export function anonymousScenario(app: Child, baseline: Child, suffix = ''): Scenario {
  return {
    path: '/',
    kind: 'anonymous',
    sides: [
      { label: `GET / anonymous${suffix}`, target: app },
      { label: 'baseline', target: baseline },
    ],
  };
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
