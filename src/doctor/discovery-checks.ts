import * as v from 'valibot';
import { discoverySchema, discoveryUrlOf, documentUrl } from '../sign-in/provider-metadata.js';
import type { CheckResult } from './checklist.js';
import { probe, reasonOf, type ProbeAnswer } from './http-probe.js';

/** What the doctor needs from the discovery document beyond what the app caches. */
const doctorDiscoverySchema = v.looseObject({
  ...discoverySchema.entries,
  authorization_endpoint: documentUrl,
  token_endpoint: documentUrl,
  // Optional, and only warned about: a malformed one counts as absent rather than failing discovery.
  scopes_supported: v.fallback(v.optional(v.array(v.string())), undefined),
  revocation_endpoint: v.fallback(v.optional(documentUrl), undefined),
});

export type ProviderEndpoints = v.InferOutput<typeof doctorDiscoverySchema>;

const ISSUER_FIX =
  'ISSUER_BASE_URL is https:// plus the Domain shown in Auth0 (Applications > Applications > your app > Settings), with a trailing slash, e.g. https://YOUR_TENANT.us.auth0.com/ (or your custom domain). Check that this machine can reach it (DNS, firewall, proxy).';

/** openid-client refuses a provider whose discovery `issuer` differs from ISSUER_BASE_URL after URL normalisation. */
function sameIssuer(a: string, b: string): boolean {
  return URL.canParse(a) && URL.canParse(b) && new URL(a).href === new URL(b).href;
}

/**
 * Fetches the discovery document: is it there, is it one, and does the provider call itself
 * what ISSUER_BASE_URL says? Returns the endpoints for the next checks (undefined when they
 * cannot run) and the answer, whose Date header the clock check reads.
 */
export async function checkDiscovery(
  issuerBaseURL: string,
  timeoutMs: number,
): Promise<{ results: CheckResult[]; endpoints?: ProviderEndpoints; answer?: ProbeAnswer }> {
  const url = discoveryUrlOf(issuerBaseURL);
  let answer: ProbeAnswer;
  try {
    answer = await probe(url, { headers: { accept: 'application/json' } }, timeoutMs);
  } catch (error) {
    return {
      results: [
        {
          title: 'Discovery',
          status: 'fail',
          detail: `${url.href} could not be reached: ${reasonOf(error)}`,
          fix: ISSUER_FIX,
        },
      ],
    };
  }
  const took = `${answer.receivedAt - answer.sentAt} ms`;
  if (answer.status !== 200) {
    return {
      answer,
      results: [
        {
          title: 'Discovery',
          status: 'fail',
          detail: `${url.href} answered HTTP ${answer.status} (${took})`,
          fix: ISSUER_FIX,
        },
      ],
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    json = undefined;
  }
  const parsed = v.safeParse(doctorDiscoverySchema, json);
  if (!parsed.success) {
    return {
      answer,
      results: [
        {
          title: 'Discovery',
          status: 'fail',
          detail: `${url.href} is not an OpenID Connect discovery document`,
          fix: ISSUER_FIX,
        },
      ],
    };
  }
  const endpoints = parsed.output;
  const discovery: CheckResult = { title: 'Discovery', status: 'pass', detail: `${url.href} answered in ${took}` };
  const issuer: CheckResult = sameIssuer(endpoints.issuer, issuerBaseURL)
    ? {
        title: 'Issuer',
        status: 'pass',
        detail: `the provider calls itself ${endpoints.issuer}, the issuer the app is configured with`,
      }
    : {
        title: 'Issuer',
        status: 'fail',
        detail: `the provider calls itself ${JSON.stringify(endpoints.issuer)}, but ISSUER_BASE_URL is ${JSON.stringify(issuerBaseURL)}: sign-in refuses a provider that is not the configured one`,
        fix: `set ISSUER_BASE_URL=${endpoints.issuer} (exactly what the provider publishes; with Auth0 custom domains, use the domain the tenant issues tokens for).`,
      };
  return { answer, endpoints, results: [discovery, issuer] };
}

const MAX_SKEW_SECONDS = 60;

/**
 * The provider's Date header against our clock. Tokens carry issue and expiry times, and the app
 * tolerates 60 s of difference: beyond that, fresh tokens look expired or not yet valid. Date has
 * one-second resolution, so it is compared with the middle of the request.
 */
export function checkClock(answer: ProbeAnswer): CheckResult {
  if (!answer.date) {
    return {
      title: 'Clock',
      status: 'warn',
      detail: 'the provider sent no Date header, so the clocks could not be compared',
    };
  }
  const skewSeconds = Math.round((answer.date.getTime() - (answer.sentAt + answer.receivedAt) / 2) / 1000);
  const direction = skewSeconds > 0 ? 'behind' : 'ahead of';
  // Within a second is as close as a Date header can tell.
  const summary =
    Math.abs(skewSeconds) <= 1
      ? 'this server and the provider agree (within a second)'
      : `this server's clock is ${Math.abs(skewSeconds)} s ${direction} the provider's`;
  if (Math.abs(skewSeconds) <= MAX_SKEW_SECONDS) return { title: 'Clock', status: 'pass', detail: summary };
  return {
    title: 'Clock',
    status: 'fail',
    detail: `${summary} (more than ${MAX_SKEW_SECONDS} s): sign-ins would fail with tokens that look expired or not yet valid`,
    fix: 'synchronise this server\'s clock (NTP: e.g. "timedatectl set-ntp true", or chrony/systemd-timesyncd).',
  };
}
