import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
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
 * Targets as Prometheus' kubernetes_sd (role: pod) would discover them: one per declared container
 * port, address podIP:port, with the pod's annotations and identity as __meta_kubernetes_* labels.
 */
async function discoverPods(
  kc: KubeConfig,
  namespace: string,
): Promise<{ targets: string[]; labels: Record<string, string> }[]> {
  const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace });
  const sanitize = (name: string): string => name.replace(/[^a-zA-Z0-9_]/g, '_');
  return pods.items
    .filter((pod) => pod.status?.phase === 'Running' && pod.status.podIP)
    .flatMap((pod) =>
      (pod.spec?.containers ?? []).flatMap((c) =>
        (c.ports ?? []).map((p) => ({
          targets: [`${pod.status?.podIP}:${p.containerPort}`],
          labels: {
            __meta_kubernetes_namespace: namespace,
            __meta_kubernetes_pod_name: pod.metadata?.name ?? '',
            __meta_kubernetes_pod_container_name: c.name,
            ...Object.fromEntries(
              Object.entries(pod.metadata?.annotations ?? {}).map(([k, v]) => [
                `__meta_kubernetes_pod_annotation_${sanitize(k)}`,
                v,
              ]),
            ),
          },
        })),
      ),
    );
}

/**
 * Runs the documented job with its relabelling unchanged. Only discovery differs: Debian builds
 * Prometheus without kubernetes_sd ("field kubernetes_sd_configs not found"), so the test lists the
 * pods itself (discoverPods, the same labels kubernetes_sd sets) and hands them over as file_sd.
 */
export async function startPrometheus(kc: KubeConfig, namespace: string): Promise<Prometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'batchyard-prometheus-'));
  const targetsFile = join(dir, 'targets.json');
  writeFileSync(targetsFile, JSON.stringify(await discoverPods(kc, namespace)));
  const doc = parse(readFileSync(example, 'utf8')) as { scrape_configs: ScrapeJob[] };
  for (const job of doc.scrape_configs) {
    job.scrape_interval = '1s';
    job.scrape_timeout = '1s'; // may not exceed the interval
    delete (job as Partial<ScrapeJob>).kubernetes_sd_configs;
    job.file_sd_configs = [{ files: [targetsFile], refresh_interval: '1s' }];
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
