import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { type Managed, spawnManaged, stopManaged } from '../../cluster/src/processes.js';
import { waitFor } from '../../cluster/src/testing.js';
import { freePort } from './support.js';

/** Debian's prometheus (scripts/provision-prometheus.sh), run with the chart's documented job. */
export const PROMETHEUS = '/usr/bin/prometheus';
const example = fileURLToPath(
  new URL('../../../charts/batchyard/examples/prometheus-scrape-config.yaml', import.meta.url),
);

interface ScrapeJob {
  job_name: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  kubernetes_sd_configs: Record<string, unknown>[];
  [key: string]: unknown;
}

export interface Prometheus {
  port: number;
  query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  stop(): Promise<void>;
}

/**
 * The documented job, unchanged but for what running outside the cluster needs: the API server's
 * address and credentials (in a pod Prometheus uses its own service account) and the namespace.
 */
export async function startPrometheus(kc: KubeConfig, namespace: string): Promise<Prometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'batchyard-prometheus-'));
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster || !user?.token) throw new Error('the test kubeconfig has no cluster or token');
  const caFile = join(dir, 'ca.crt');
  writeFileSync(
    caFile,
    cluster.caData ? Buffer.from(cluster.caData, 'base64') : readFileSync(cluster.caFile ?? ''),
  );
  const doc = parse(readFileSync(example, 'utf8')) as { scrape_configs: ScrapeJob[] };
  for (const job of doc.scrape_configs) {
    job.scrape_interval = '1s';
    job.scrape_timeout = '1s'; // may not exceed the interval
    job.kubernetes_sd_configs = job.kubernetes_sd_configs.map((sd) => ({
      ...sd,
      namespaces: { names: [namespace] },
      api_server: cluster.server,
      authorization: { credentials: user.token },
      tls_config: { ca_file: caFile },
    }));
  }
  writeFileSync(join(dir, 'prometheus.yml'), stringify({ global: { evaluation_interval: '1s' }, ...doc }));
  const port = await freePort();
  const proc: Managed = spawnManaged(PROMETHEUS, {
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    cwd: dir,
    logFile: join(dir, 'prometheus.log'),
  });
  const api = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      'prometheus to be ready',
      async () => ((await fetch(`${api}/-/ready`).catch(() => undefined))?.ok ? true : undefined),
      30_000,
    );
  } catch (err) {
    await stopManaged(proc);
    throw new Error(`${(err as Error).message}\n${readFileSync(join(dir, 'prometheus.log'), 'utf8')}`);
  }
  return {
    port,
    async query(promql) {
      const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = (await res.json()) as {
        status: string;
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== 'success') throw new Error(`query ${promql}: ${JSON.stringify(body)}`);
      return body.data.result;
    },
    async stop() {
      await stopManaged(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
