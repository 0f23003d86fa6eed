import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { etcdBinary, kubeBinDir, provisionHint } from './paths.js';
import {
  freePort,
  httpsGet,
  type Managed,
  requireExecutable,
  spawnManaged,
  stopManaged,
  waitFor,
} from './processes.js';
import { recordPid, STATE_PREFIX, sweepStaleState, writeOwner } from './stale.js';
import { type CertPair, createCa, createServiceAccountKeys, createServingCert } from './tls.js';

/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager and
 * kube-scheduler, each in a fresh temporary directory with free ports. There is no kubelet; the
 * node agent plays the node.
 */

export interface ControlPlaneOptions {
  /** Parent for the state directory (default: the OS temp dir). */
  baseDir?: string;
  /** Keep the state directory (logs) after stop, for debugging. */
  keepState?: boolean;
  /** Component log verbosity (klog -v). */
  verbosity?: number;
}

export interface ControlPlane {
  stateDir: string;
  /** https://127.0.0.1:<port> */
  server: string;
  kubeconfigPath: string;
  /** Admin bearer token (group system:masters). */
  token: string;
  ca: CertPair;
  logDir: string;
  kubeConfig(): KubeConfig;
  stop(): Promise<void>;
}

const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/**
 * Jobs' ttlSecondsAfterFinished is alpha in 1.20 (GA in 1.23): without the gate the API server
 * drops the field and nothing deletes finished Jobs, unlike on every current cluster.
 */
const FEATURE_GATES = '--feature-gates=TTLAfterFinished=true';

export function writeKubeconfig(path: string, server: string, caFile: string, token: string): void {
  // JSON is valid YAML, and every kubeconfig reader (client-go, client-node, kubectl) accepts it.
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'batchyard-test', cluster: { server, 'certificate-authority': caFile } }],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'batchyard-test', context: { cluster: 'batchyard-test', user: 'admin' } }],
    'current-context': 'batchyard-test',
  };
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const bin = kubeBinDir();
  for (const b of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
    requireExecutable(join(bin, b), provisionHint);
  }
  const etcd = etcdBinary();
  const baseDir = opts.baseDir ?? tmpdir();
  sweepStaleState(baseDir);
  const stateDir = mkdtempSync(join(baseDir, STATE_PREFIX));
  writeOwner(stateDir);
  const logDir = join(stateDir, 'logs');
  const pkiDir = join(stateDir, 'pki');
  for (const d of [logDir, pkiDir]) mkdirSync(d, { recursive: true });
  const v = String(opts.verbosity ?? 1);

  const started: Managed[] = [];
  let stopping = false;
  const stop = async (): Promise<void> => {
    stopping = true;
    // Reverse order: the scheduler and controllers first, etcd last.
    for (const m of [...started].reverse()) await stopManaged(m, 5000);
    started.length = 0;
    if (!opts.keepState) rmSync(stateDir, { recursive: true, force: true });
  };
  const launch = (name: string, command: string, args: string[]): Managed => {
    const m = spawnManaged(command, { args, logFile: join(logDir, `${name}.log`), cwd: stateDir });
    started.push(m);
    if (m.child.pid !== undefined) recordPid(stateDir, m.child.pid);
    m.exited.then(({ code, signal }) => {
      if (!stopping) {
        process.stderr.write(
          `[test-cluster] ${name} exited (code ${code}, signal ${signal}); see ${logDir}\n`,
        );
      }
    });
    return m;
  };

  try {
    const ca = createCa(pkiDir);
    const serving = createServingCert(pkiDir, 'apiserver', ca, [
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
    ]);
    const sa = createServiceAccountKeys(pkiDir);
    const token = randomBytes(24).toString('hex');
    const tokenFile = join(pkiDir, 'tokens.csv');
    writeFileSync(tokenFile, `${token},admin,admin,"system:masters"\n`, { mode: 0o600 });

    const [etcdClient, etcdPeer, apiPort, cmPort, schedPort] = await Promise.all(
      [0, 1, 2, 3, 4].map(() => freePort()),
    );
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    launch('etcd', etcd, [
      '--name=default',
      `--data-dir=${join(stateDir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    await waitFor(
      'etcd',
      async () => {
        const res = await fetch(`${etcdUrl}/health`);
        return res.ok ? true : undefined;
      },
      30_000,
    );

    const server = `https://127.0.0.1:${apiPort}`;
    launch('kube-apiserver', join(bin, 'kube-apiserver'), [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      '--insecure-port=0',
      '--advertise-address=127.0.0.1',
      `--cert-dir=${join(stateDir, 'apiserver-certs')}`,
      `--tls-cert-file=${serving.cert}`,
      `--tls-private-key-file=${serving.key}`,
      `--client-ca-file=${ca.cert}`,
      `--token-auth-file=${tokenFile}`,
      '--authorization-mode=Node,RBAC',
      `--service-account-key-file=${sa.publicKey}`,
      `--service-account-signing-key-file=${sa.privateKey}`,
      `--service-account-issuer=${SA_ISSUER}`,
      `--api-audiences=${SA_ISSUER}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--endpoint-reconciler-type=none',
      '--kubelet-preferred-address-types=InternalIP',
      // The node agent's log server certificate is signed by the same CA, so pods/log verifies it
      // (without this flag the 1.20 kubelet client would skip verification altogether).
      `--kubelet-certificate-authority=${ca.cert}`,
      '--allow-privileged=true',
      FEATURE_GATES,
      `--v=${v}`,
    ]);
    await waitFor(
      'kube-apiserver /readyz',
      async () => {
        const res = await httpsGet(`${server}/readyz`, { caFile: ca.cert, token });
        return res.status === 200 ? true : undefined;
      },
      60_000,
    );

    const kubeconfigPath = join(stateDir, 'kubeconfig');
    writeKubeconfig(kubeconfigPath, server, ca.cert, token);
    const delegated = (kc: string): string[] => [
      `--kubeconfig=${kc}`,
      `--authentication-kubeconfig=${kc}`,
      `--authorization-kubeconfig=${kc}`,
      '--bind-address=127.0.0.1',
      '--port=0',
      '--leader-elect=false',
      // Client-side rate limits of 20 (controller-manager) / 50 (scheduler) requests per second
      // would make benchmarks with hundreds of Jobs measure the throttle, not Batchyard.
      '--kube-api-qps=200',
      '--kube-api-burst=400',
      `--v=${v}`,
    ];
    launch('kube-controller-manager', join(bin, 'kube-controller-manager'), [
      ...delegated(kubeconfigPath),
      `--secure-port=${cmPort}`,
      `--cert-dir=${join(stateDir, 'cm-certs')}`,
      `--service-account-private-key-file=${sa.privateKey}`,
      `--root-ca-file=${ca.cert}`,
      '--use-service-account-credentials',
      '--controllers=*',
      FEATURE_GATES,
    ]);
    launch('kube-scheduler', join(bin, 'kube-scheduler'), [
      ...delegated(kubeconfigPath),
      `--secure-port=${schedPort}`,
      `--cert-dir=${join(stateDir, 'scheduler-certs')}`,
    ]);

    const kubeConfig = (): KubeConfig => {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      return kc;
    };
    await waitFor(
      'kube-scheduler /healthz',
      async () =>
        (await httpsGet(`https://127.0.0.1:${schedPort}/healthz`)).status === 200 ? true : undefined,
      60_000,
    );
    // The token controller only runs when the controller-manager is healthy: a default
    // ServiceAccount with its token Secret proves it is.
    const core = kubeConfig().makeApiClient(CoreV1Api);
    await waitFor(
      'default ServiceAccount token (kube-controller-manager)',
      async () => {
        const sa = await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
        return (sa.secrets?.length ?? 0) > 0 ? true : undefined;
      },
      60_000,
    );
    return { stateDir, server, kubeconfigPath, token, ca, logDir, kubeConfig, stop };
  } catch (err) {
    const keep = opts.keepState;
    opts.keepState = true;
    await stop();
    const msg = err instanceof Error ? err.message : String(err);
    if (!keep) process.stderr.write(`[test-cluster] start failed; logs kept in ${logDir}\n`);
    throw new Error(`test control plane failed to start: ${msg} (logs: ${logDir})`);
  }
}
