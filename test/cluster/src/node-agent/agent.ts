import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoordinationV1Api, CoreV1Api, type KubeConfig, type V1Pod, Watch } from '@kubernetes/client-node';
import { waitFor } from '../processes.js';
import { type CertPair, createCa, createServingCert } from '../tls.js';
import { defaultImageTable, type ImageTable, imageTableFromEnv } from './images.js';
import { type LogServer, startLogServer } from './log-server.js';
import { LogStore } from './logs.js';
import { MemorySampler } from './memory.js';
import { heartbeat, type NodeCapacity, registerNode, renewLease } from './node.js';
import { PodWorker } from './pod-worker.js';

/**
 * A stand-in kubelet: registers a Node, keeps it Ready, runs the pods bound to it as local
 * processes and serves their logs. Everything goes through the Kubernetes API, so the scheduler,
 * the Job controller and `pods/log` behave as on a real cluster.
 */

export interface NodeAgentOptions {
  nodeName?: string;
  capacity?: Partial<NodeCapacity>;
  labels?: Record<string, string>;
  /** Merged over the defaults and BATCHYARD_IMAGE_MAP. */
  images?: ImageTable;
  /** CA to sign the log server's certificate with; a fresh one is made otherwise. */
  ca?: CertPair;
  /** Parent of the agent's state directory (pod working dirs, certificates). */
  baseDir?: string;
  heartbeatMs?: number;
  backoffMs?: { initial: number; max: number };
  log?: (message: string) => void;
}

export interface NodeAgent {
  nodeName: string;
  logPort: number;
  images: ImageTable;
  stop(): Promise<void>;
}

export async function startNodeAgent(kc: KubeConfig, opts: NodeAgentOptions = {}): Promise<NodeAgent> {
  const nodeName = opts.nodeName ?? 'batchyard-node-1';
  const capacity: NodeCapacity = { cpu: '4', memory: '8Gi', pods: '110', ...opts.capacity };
  const log = opts.log ?? ((m: string) => process.stderr.write(`[node-agent] ${m}\n`));
  const images = { ...defaultImageTable(), ...imageTableFromEnv(), ...opts.images };
  const stateDir = mkdtempSync(join(opts.baseDir ?? tmpdir(), 'batchyard-node-'));
  const pki = join(stateDir, 'pki');
  mkdirSync(pki);
  const ca = opts.ca ?? createCa(pki);
  const cert = createServingCert(pki, 'node-agent', ca, ['localhost', nodeName]);

  const core = kc.makeApiClient(CoreV1Api);
  const logs = new LogStore();
  const memory = new MemorySampler();
  const workers = new Map<string, PodWorker>();
  const logServer: LogServer = await startLogServer(logs, cert);
  const since = await registerNode(core, nodeName, capacity, logServer.port, opts.labels ?? {});

  const coordination = kc.makeApiClient(CoordinationV1Api);
  await renewLease(coordination, await core.readNode({ name: nodeName }));

  let stopped = false;
  const beat = setInterval(() => {
    heartbeat(core, nodeName, capacity, logServer.port, since).catch((err: unknown) =>
      log(`heartbeat failed: ${String(err)}`),
    );
    renewLease(coordination, nodeName).catch((err: unknown) => log(`lease renewal failed: ${String(err)}`));
  }, opts.heartbeatMs ?? 5000);

  const deps = {
    core,
    images,
    logs,
    memory,
    workDir: join(stateDir, 'pods'),
    apiServer: kc.getCurrentCluster()?.server,
    backoffMs: opts.backoffMs ?? { initial: 1000, max: 10_000 },
    log,
  };
  const onPod = (type: string, pod: V1Pod): void => {
    const uid = pod.metadata?.uid;
    if (!uid || stopped) return;
    const existing = workers.get(uid);
    if (type === 'DELETED') {
      void existing?.gone();
      workers.delete(uid);
      return;
    }
    if (existing) {
      existing.update(pod);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      // Finished before this agent started: nothing to run, but a deletion still needs the
      // node's final word, or the pod stays Terminating.
      if (pod.metadata?.deletionTimestamp) {
        core
          .deleteNamespacedPod({
            name: pod.metadata.name!,
            namespace: pod.metadata.namespace!,
            body: { gracePeriodSeconds: 0, preconditions: { uid } },
          })
          .catch(() => {});
      }
      return;
    }
    const worker = new PodWorker(pod, deps);
    workers.set(uid, worker);
    if (pod.metadata?.deletionTimestamp) worker.update(pod);
  };

  // List, then watch from the list's resourceVersion; on any watch end, list again (covers 410).
  const fieldSelector = `spec.nodeName=${nodeName}`;
  const watch = new Watch(kc);
  let abort: AbortController | undefined;
  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        const list = await core.listPodForAllNamespaces({ fieldSelector });
        for (const pod of list.items) onPod('ADDED', pod);
        const seen = new Set(list.items.map((p) => p.metadata?.uid));
        for (const [uid, w] of workers) {
          if (!seen.has(uid)) {
            void w.gone();
            workers.delete(uid);
          }
        }
        await new Promise<void>((resolve, reject) => {
          watch
            .watch(
              '/api/v1/pods',
              { fieldSelector, resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
              (type: string, obj: V1Pod) => {
                if (type !== 'BOOKMARK' && type !== 'ERROR') onPod(type, obj);
              },
              (err: unknown) => (err ? reject(err) : resolve()),
            )
            .then((a) => {
              abort = a;
            }, reject);
        });
      } catch (err) {
        if (!stopped) log(`pod watch ended: ${String(err)}; relisting`);
      }
      if (!stopped) await new Promise((r) => setTimeout(r, 500));
    }
  };
  const loopDone = loop();

  // TaintNodesByCondition puts a not-ready taint on a new node; the node lifecycle controller
  // removes it once it sees Ready. Wait for that so the first pods are not unschedulable.
  await waitFor(
    `node ${nodeName} without not-ready taint`,
    async () => {
      const node = await core.readNode({ name: nodeName });
      return (node.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/'))
        ? undefined
        : true;
    },
    60_000,
    500,
  );

  const stop = async (): Promise<void> => {
    stopped = true;
    clearInterval(beat);
    abort?.abort();
    // Containers die with the agent; their pods would be lost anyway without a kubelet.
    await Promise.all([...workers.values()].map((w) => w.gone()));
    workers.clear();
    memory.stop();
    await logServer.close();
    await loopDone.catch(() => {});
    rmSync(stateDir, { recursive: true, force: true });
  };
  return { nodeName, logPort: logServer.port, images, stop };
}
