import { createClient } from '@redis/client';
import type { Config } from '../config.js';
import { withinTime } from '../time-limit.js';
import type { CheckResult } from './checklist.js';

const TITLE = 'Redis Sentinel';

type SentinelSettings = NonNullable<Config['sessionStore']['sentinel']>;

type Address = { host: string; port: number };

/** What one Sentinel says: the primary's address and its replicas', or why it could not say. */
type Answer = { primary: string; address: Address; replicas: string[] } | { problem: string };

/**
 * Asks every Sentinel of REDIS_SENTINELS where the primary named REDIS_SENTINEL_NAME is, and which
 * replicas it has, then asks that primary, as the app will, with REDIS_PASSWORD: fails when no
 * Sentinel knows the primary, when the primary refuses the password or does not answer, or when
 * it says it is not a primary (ROLE); warns when the Sentinels disagree, when one does not answer,
 * or when the primary has no replica (a failover would then have nothing to promote). Each
 * question is bounded by `timeoutMs`, a server that accepts connections and never answers included.
 */
export async function checkSentinel(sentinel: SentinelSettings, timeoutMs: number): Promise<CheckResult> {
  const answers = await Promise.all(sentinel.sentinels.map((node) => askSentinel(node, sentinel, timeoutMs)));
  const known = answers.filter((answer): answer is Exclude<Answer, { problem: string }> => 'primary' in answer);
  const problems = answers.flatMap((answer, index) =>
    'problem' in answer ? [`${addressOf(sentinel.sentinels[index])} ${answer.problem}`] : [],
  );
  const first = known[0];
  if (!first) {
    return {
      title: TITLE,
      status: 'fail',
      detail: `no Sentinel named a primary: ${problems.join('; ')}`,
      fix: `check REDIS_SENTINELS (the Sentinels' host:port), REDIS_SENTINEL_NAME (the <master-name> of 'sentinel monitor') and REDIS_SENTINEL_PASSWORD`,
    };
  }
  const agreed = known.every((answer) => answer.primary === first.primary);
  const replicas = first.replicas.length > 0 ? first.replicas.join(', ') : 'none';
  const detail = `primary ${first.primary} (named by ${known.length} of ${answers.length} Sentinels), replicas: ${replicas}`;
  const refusal = await askPrimary(first.address, sentinel, timeoutMs);
  if (refusal)
    return { title: TITLE, status: 'fail', detail: `${detail}; the primary ${refusal.problem}`, fix: refusal.fix };
  if (!agreed || problems.length > 0 || first.replicas.length === 0) {
    return {
      title: TITLE,
      status: 'warn',
      detail: [detail, ...(agreed ? [] : ['the Sentinels disagree on the primary']), ...problems].join('; '),
      fix: 'a failover needs a replica and a quorum of Sentinels that answer: check the ones above',
    };
  }
  return { title: TITLE, status: 'pass', detail };
}

function askSentinel(node: Address, sentinel: SentinelSettings, timeoutMs: number): Promise<Answer> {
  return ask(node, sentinel.sentinelPassword, sentinel.tls, timeoutMs, async (send) => {
    const primary = await send(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', sentinel.name]);
    if (!Array.isArray(primary) || primary.length < 2) return { problem: `does not know '${sentinel.name}'` };
    const replicas = await send(['SENTINEL', 'REPLICAS', sentinel.name]);
    return {
      primary: `${String(primary[0])}:${String(primary[1])}`,
      address: { host: String(primary[0]), port: Number(primary[1]) },
      replicas: Array.isArray(replicas) ? replicas.flatMap(replicaAddress) : [],
    };
  }).catch(() => ({ problem: 'did not answer' }));
}

/** Why the app could not write to the primary the Sentinels name, or undefined when it could. */
async function askPrimary(
  node: Address,
  sentinel: SentinelSettings,
  timeoutMs: number,
): Promise<{ problem: string; fix: string } | undefined> {
  try {
    const role = await ask(node, sentinel.password, sentinel.tls, timeoutMs, (send) => send(['ROLE']));
    if (Array.isArray(role) && role[0] === 'master') return undefined;
    return {
      problem: 'is not a primary (ROLE): the Sentinels name a replica',
      fix: `check the Sentinels' view of '${sentinel.name}' (SENTINEL MASTER ${sentinel.name}) and the replicas' replicaof`,
    };
  } catch (error) {
    // Redis's own words stay out: only whether it was the password.
    if (error instanceof Error && /^(WRONGPASS|NOAUTH)|\bAUTH\b/.test(error.message)) {
      return {
        problem: 'refused REDIS_PASSWORD',
        fix: "set REDIS_PASSWORD to the primary's and replicas' password (requirepass), or remove it when they have none",
      };
    }
    return {
      problem: 'did not answer',
      fix: 'the app must reach the address the Sentinels name (check replica-announce-ip, the firewall and REDIS_TLS)',
    };
  }
}

/**
 * One short-lived connection to `node`, running `work`. The whole of it is bounded by `timeoutMs`:
 * node-redis's own timeouts stop counting once a command is sent, so a server that accepts the
 * connection and never answers would otherwise hold the doctor for ever.
 */
async function ask<T>(
  node: Address,
  password: string | undefined,
  tls: boolean,
  timeoutMs: number,
  work: (send: (args: string[]) => Promise<unknown>) => Promise<T>,
): Promise<T> {
  const socket = { host: node.host, port: node.port, connectTimeout: timeoutMs, reconnectStrategy: false as const };
  const client = createClient({ password, socket: tls ? { ...socket, tls: true as const } : socket });
  client.on('error', () => undefined);
  try {
    return await withinTime(
      client.connect().then(() => work((args) => client.sendCommand(args))),
      timeoutMs,
    );
  } finally {
    client.destroy();
  }
}

/**
 * One entry of SENTINEL REPLICAS as host:port, unless it is down. node-redis turns the entry into
 * an object; a flat list of names and values is what the protocol sends.
 */
function replicaAddress(entry: unknown): string[] {
  const fields = new Map<string, string>();
  if (Array.isArray(entry)) {
    for (let i = 0; i + 1 < entry.length; i += 2) fields.set(String(entry[i]), String(entry[i + 1]));
  } else if (typeof entry === 'object' && entry !== null) {
    for (const [name, value] of Object.entries(entry)) fields.set(name, String(value));
  }
  if (!fields.has('ip') || /s_down|o_down|disconnected/.test(fields.get('flags') ?? '')) return [];
  return [`${fields.get('ip') ?? ''}:${fields.get('port') ?? ''}`];
}

function addressOf(node: { host: string; port: number } | undefined): string {
  return node ? `${node.host}:${node.port}` : 'a Sentinel';
}
