import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@redis/client';
import { NOT_INSTALLED, redisServerArgs } from './redis-server.js';
import { startReplicationLink, type ReplicationLink } from './replication-link.js';
import { freePort } from './server-process.js';
import { eventually } from './wait.js';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5000;
/** The name the Sentinels monitor the primary under (REDIS_SENTINEL_NAME). */
export const SENTINEL_NAME = 'sessions';

export interface SentinelSetup {
  /** REDIS_SENTINELS: the three Sentinels, comma-separated host:port. */
  sentinels: string;
  name: string;
  primaryPort: number;
  replicaPort: number;
  /** SIGKILL to the primary: it dies without a word, as a host that loses power, with its unsent replication stream. */
  killPrimary(): void;
  /** Holds the primary's replication stream short of the replica (see replication-link.ts); releaseReplication() delivers it. */
  holdReplication(): void;
  releaseReplication(): void;
  /** The port the Sentinels name as primary now (through a short-lived client of their own). */
  primaryNow(): Promise<number>;
  /** Runs one command on the Redis at `port` through a short-lived client. */
  command(port: number, args: string[]): Promise<unknown>;
  /** Stops every process by its pid and deletes the directory. */
  close(): Promise<void>;
}

/**
 * A primary, one replica (`--replicaof`, through a relay the test can hold) and three Sentinels (quorum 2), real redis-server processes on
 * free loopback ports, in a temporary directory, without persistence. A primary that stops
 * answering is declared down after 1 s; Sentinel then promotes the replica. Resolves once the
 * replica is in sync and every Sentinel knows the replica and the two other Sentinels, so that a
 * failover can happen at once.
 */
export async function startRedisSentinel(): Promise<SentinelSetup> {
  if (spawnSync('redis-server', ['--version']).error) throw new Error(NOT_INSTALLED);
  const dir = mkdtempSync(join(tmpdir(), 'redis-sentinel-test-'));
  const children: ChildProcess[] = [];
  let link: ReplicationLink | undefined;
  const start = async (command: string, args: string[], ready: string) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    await waitForLine(child, ready, command);
  };
  try {
    const [primaryPort, replicaPort, ...sentinelPorts] = await Promise.all([0, 1, 2, 3, 4].map(() => freePort()));
    if (primaryPort === undefined || replicaPort === undefined) throw new Error('no free port');
    const server = (port: number) => redisServerArgs(port, dir);
    await start('redis-server', server(primaryPort), 'Ready to accept connections');
    link = await startReplicationLink(primaryPort);
    await start(
      'redis-server',
      [...server(replicaPort), '--replicaof', '127.0.0.1', String(link.port)],
      'MASTER <-> REPLICA sync: Finished with success',
    );
    for (const port of sentinelPorts) {
      const file = join(dir, `sentinel-${port}.conf`);
      // Sentinel rewrites its file as it learns the topology: each needs one of its own.
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${SENTINEL_NAME} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_NAME} 1000`,
          `sentinel failover-timeout ${SENTINEL_NAME} 5000`,
          `sentinel parallel-syncs ${SENTINEL_NAME} 1`,
          '',
        ].join('\n'),
      );
      // `redis-server --sentinel` is what Debian's redis-sentinel runs: no second package needed.
      await start('redis-server', [file, '--sentinel'], '+monitor master');
    }
    const command = (port: number, args: string[]) => oneCommand(port, args);
    await eventually(
      async () => {
        const views = await Promise.all(
          sentinelPorts.map(async (port) => fieldsOf(await command(port, ['SENTINEL', 'MASTER', SENTINEL_NAME]))),
        );
        return views.every((view) => view['num-slaves'] === '1' && view['num-other-sentinels'] === '2');
      },
      START_TIMEOUT_MS,
      'the Sentinels to know the replica and each other',
    );
    const [primary] = children;
    const replication = link;
    return {
      sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
      name: SENTINEL_NAME,
      primaryPort,
      replicaPort,
      killPrimary: () => {
        primary?.kill('SIGKILL');
        // Nothing it had not yet sent reaches the replica, even if the relay still holds it.
        replication.cut();
      },
      holdReplication: () => replication.hold(),
      releaseReplication: () => replication.release(),
      async primaryNow() {
        const reply = await command(sentinelPorts[0] ?? 0, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_NAME]);
        return Number(Array.isArray(reply) ? reply[1] : undefined);
      },
      command,
      close: () => stopAll(children, dir, replication),
    };
  } catch (error) {
    await stopAll(children, dir, link);
    throw error;
  }
}

/** One Sentinel that monitors nothing: asked for any primary, it names none. */
export async function startLoneSentinel(): Promise<{
  port: number;
  command(args: string[]): Promise<unknown>;
  close(): Promise<void>;
}> {
  if (spawnSync('redis-server', ['--version']).error) throw new Error(NOT_INSTALLED);
  const dir = mkdtempSync(join(tmpdir(), 'redis-sentinel-test-'));
  const port = await freePort();
  const file = join(dir, 'sentinel.conf');
  writeFileSync(file, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, ''].join('\n'));
  const child = spawn('redis-server', [file, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await waitForLine(child, 'Sentinel ID is', 'redis-server --sentinel');
  } catch (error) {
    await stopAll([child], dir, undefined);
    throw error;
  }
  return { port, command: (args) => oneCommand(port, args), close: () => stopAll([child], dir, undefined) };
}

async function stopAll(children: ChildProcess[], dir: string, link: ReplicationLink | undefined): Promise<void> {
  await link?.close();
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }),
  );
  rmSync(dir, { recursive: true, force: true });
}

function waitForLine(child: ChildProcess, line: string, name: string): Promise<void> {
  let output = '';
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not log "${line}" within ${START_TIMEOUT_MS} ms:\n${output}`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(line)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${String(code)}:\n${output}`));
    });
  });
}

async function oneCommand(port: number, args: string[]): Promise<unknown> {
  const client = createClient({ socket: { host: '127.0.0.1', port, connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await client.sendCommand(args);
  } finally {
    client.destroy();
  }
}

/** SENTINEL MASTER's reply, a flat list of names and values (RESP2) or a map (RESP3), as an object. */
function fieldsOf(reply: unknown): Record<string, string> {
  if (Array.isArray(reply)) {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < reply.length; i += 2) fields[String(reply[i])] = String(reply[i + 1]);
    return fields;
  }
  if (reply instanceof Map) return Object.fromEntries([...reply].map(([key, value]) => [String(key), String(value)]));
  return typeof reply === 'object' && reply !== null
    ? Object.fromEntries(Object.entries(reply).map(([key, value]) => [key, String(value)]))
    : {};
}
