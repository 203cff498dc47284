import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface Certificate {
  key: string;
  /** Also the only certificate clients need to trust: it signs itself. */
  cert: string;
}

let made: Promise<Certificate> | undefined;

async function generate(): Promise<Certificate> {
  const dir = await mkdtemp(join(tmpdir(), 'app-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  try {
    await promisify(execFile)('openssl', [
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
    ]);
    return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') };
  } catch (error) {
    throw new Error('The HTTPS tests need the openssl command: apt-get install -y openssl', { cause: error });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A throwaway self-signed certificate for localhost, made once per test file with the openssl CLI. */
export function localhostCertificate(): Promise<Certificate> {
  made ??= generate();
  return made;
}
