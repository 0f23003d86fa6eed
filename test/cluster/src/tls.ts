import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Certificates for the test control plane, made with the openssl CLI (Node has no X.509 writer).
 * One throw-away CA signs the API server's serving certificate and the node agent's log server
 * certificate, so clients can verify instead of skipping TLS verification.
 */

export interface CertPair {
  cert: string;
  key: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr || String(err)}`);
  }
}

export function createCa(dir: string): CertPair {
  const cert = join(dir, 'ca.crt');
  const key = join(dir, 'ca.key');
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '30',
      '-subj',
      '/CN=batchyard-test-ca',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    ],
    dir,
  );
  return { cert, key };
}

/** A serving certificate for loopback names, signed by `ca`. */
export function createServingCert(dir: string, name: string, ca: CertPair, dnsNames: string[]): CertPair {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  const san = ['IP:127.0.0.1', ...dnsNames.map((d) => `DNS:${d}`)].join(',');
  writeFileSync(
    ext,
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`,
  );
  openssl(
    ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${name}`],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-CAcreateserial',
      '-out',
      cert,
      '-days',
      '30',
      '-extfile',
      ext,
    ],
    dir,
  );
  return { cert, key };
}

/** RSA key pair for signing service-account tokens (node:crypto is enough for plain keys). */
export function createServiceAccountKeys(dir: string): { publicKey: string; privateKey: string } {
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const publicKey = join(dir, 'sa.pub');
  const privateKey = join(dir, 'sa.key');
  writeFileSync(publicKey, pair.publicKey, { mode: 0o600 });
  writeFileSync(privateKey, pair.privateKey, { mode: 0o600 });
  return { publicKey, privateKey };
}
