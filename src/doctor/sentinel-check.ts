import { createClient } from 'redis';
import type { Config } from '../config.js';
import type { CheckResult } from './checklist.js';

const TITLE = 'Redis Sentinel';

type SentinelSettings = NonNullable<Config['sessionStore']['sentinel']>;

/** What one Sentinel says: the primary's address and its replicas', or why it could not say. */
type Answer = { primary: string; replicas: string[] } | { problem: string };

/**
 * Asks every Sentinel of REDIS_SENTINELS where the primary named REDIS_SENTINEL_NAME is, and which
 * replicas it has: fails when none knows the primary, warns when they disagree, when one does not
 * answer, or when the primary has no replica (a failover would then have nothing to promote).
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

async function askSentinel(
  node: { host: string; port: number },
  sentinel: SentinelSettings,
  timeoutMs: number,
): Promise<Answer> {
  const client = createClient({
    password: sentinel.sentinelPassword,
    socket: sentinel.tls
      ? { host: node.host, port: node.port, tls: true, connectTimeout: timeoutMs, reconnectStrategy: false }
      : { host: node.host, port: node.port, connectTimeout: timeoutMs, reconnectStrategy: false },
    commandOptions: { timeout: timeoutMs },
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const primary = await client.sendCommand(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', sentinel.name]);
    if (!Array.isArray(primary) || primary.length < 2) return { problem: `does not know '${sentinel.name}'` };
    const replicas = await client.sendCommand(['SENTINEL', 'REPLICAS', sentinel.name]);
    return {
      primary: `${String(primary[0])}:${String(primary[1])}`,
      replicas: Array.isArray(replicas) ? replicas.flatMap(replicaAddress) : [],
    };
  } catch {
    // Never the library's message: it may quote the server. What failed is enough here.
    return { problem: 'did not answer' };
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
