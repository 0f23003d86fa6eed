import { readFileSync } from 'node:fs';
import { request } from 'node:https';

export interface GetOptions {
  /** PEM file of the CA that signed the server; omitted → the certificate is not verified. */
  caFile?: string;
  token?: string;
  timeoutMs?: number;
}

/** Minimal HTTPS GET for health probes (global fetch cannot take a custom CA without undici). */
export function httpsGet(url: string, opts: GetOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'GET',
        ca: opts.caFile ? readFileSync(opts.caFile) : undefined,
        rejectUnauthorized: opts.caFile !== undefined,
        headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {},
        timeout: opts.timeoutMs ?? 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout on ${url}`)));
    req.on('error', reject);
    req.end();
  });
}
