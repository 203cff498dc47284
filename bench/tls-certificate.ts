import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface BenchCertificate {
  key: string;
  /** Self-signed: also the only certificate a client needs to trust. */
  cert: string;
  /** The certificate as a file, for NODE_EXTRA_CA_CERTS (read only when a process starts). */
  certFile: string;
  remove(): Promise<void>;
}

/**
 * A throwaway self-signed certificate for 127.0.0.1 and localhost (one day, P-256), made with the
 * openssl command as the tests make theirs (bench/ imports nothing from test/). The key never
 * touches the disk for longer than openssl needs to write it.
 */
export async function benchCertificate(): Promise<BenchCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await promisify(execFile)(
      'openssl',
      [
        'req',
        '-x509',
        '-nodes',
        '-days',
        '1',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { timeout: 10_000 },
    );
    const key = await readFile(keyFile, 'utf8');
    await rm(keyFile);
    return { key, cert: await readFile(certFile, 'utf8'), certFile, remove };
  } catch (error) {
    await remove();
    throw new Error(
      'The benchmark serves its provider over https and needs the openssl command: apt-get install -y openssl',
      {
        cause: error,
      },
    );
  }
}
