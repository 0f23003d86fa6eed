import { arch } from 'node:os';
import {
  type CoordinationV1Api,
  type CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Node,
} from '@kubernetes/client-node';

/**
 * The Node object the agent registers and keeps Ready. The node lifecycle controller marks a
 * node NotReady (and taints it) when the Ready condition's heartbeat is older than its grace
 * period (40 s), so the agent refreshes it every few seconds, and renews the node's Lease in
 * kube-node-lease as a 1.20 kubelet does (either keeps the node healthy).
 */

export interface NodeCapacity {
  /** e.g. "4" or "4000m" */
  cpu: string;
  /** e.g. "8Gi" */
  memory: string;
  pods: string;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function nodeConditions(now: string, since: string): Record<string, string>[] {
  const ok = (type: string, reason: string, message: string): Record<string, string> => ({
    type,
    status: 'False',
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: since,
  });
  return [
    ok('MemoryPressure', 'KubeletHasSufficientMemory', 'node agent has sufficient memory'),
    ok('DiskPressure', 'KubeletHasNoDiskPressure', 'node agent has no disk pressure'),
    ok('PIDPressure', 'KubeletHasSufficientPID', 'node agent has sufficient PID'),
    {
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      message: 'batchyard node agent is posting ready status',
      lastHeartbeatTime: now,
      lastTransitionTime: since,
    },
  ];
}

export function nodeStatus(capacity: NodeCapacity, logPort: number, since: string): Record<string, unknown> {
  const resources = { cpu: capacity.cpu, memory: capacity.memory, pods: capacity.pods };
  return {
    capacity: resources,
    allocatable: resources,
    // Only an InternalIP: with --kubelet-preferred-address-types=InternalIP the API server then
    // proxies pods/log to 127.0.0.1:<logPort>.
    addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
    daemonEndpoints: { kubeletEndpoint: { Port: logPort } },
    conditions: nodeConditions(new Date().toISOString(), since),
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: '',
      osImage: 'batchyard node agent',
      containerRuntimeVersion: 'batchyard://local-process',
      kubeletVersion: 'v1.20.2',
      kubeProxyVersion: 'v1.20.2',
      operatingSystem: 'linux',
      architecture: arch() === 'x64' ? 'amd64' : arch(),
    },
  };
}

export async function registerNode(
  core: CoreV1Api,
  name: string,
  capacity: NodeCapacity,
  logPort: number,
  labels: Record<string, string>,
): Promise<string> {
  const since = new Date().toISOString();
  const body = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': arch() === 'x64' ? 'amd64' : arch(),
        'batchyard.io/node-agent': 'true',
        ...labels,
      },
    },
    spec: {},
  } as V1Node;
  try {
    await core.createNode({ body });
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
    // Re-registration (agent restart): take the node over, clear leftover taints.
    await core.patchNode(
      { name, body: { metadata: { labels: body.metadata?.labels }, spec: { taints: null } } },
      mergePatch,
    );
  }
  await heartbeat(core, name, capacity, logPort, since);
  return since;
}

export async function heartbeat(
  core: CoreV1Api,
  name: string,
  capacity: NodeCapacity,
  logPort: number,
  since: string,
): Promise<void> {
  await core.patchNodeStatus({ name, body: { status: nodeStatus(capacity, logPort, since) } }, mergePatch);
}

/** metav1.MicroTime wants exactly six fractional digits. */
function microTime(d = new Date()): string {
  return `${d.toISOString().slice(0, 23)}000Z`;
}

export async function renewLease(coordination: CoordinationV1Api, node: V1Node | string): Promise<void> {
  const name = typeof node === 'string' ? node : node.metadata!.name!;
  const namespace = 'kube-node-lease';
  try {
    await coordination.patchNamespacedLease(
      { name, namespace, body: { spec: { holderIdentity: name, renewTime: microTime() } } },
      mergePatch,
    );
  } catch (err) {
    if ((err as { code?: number }).code !== 404 || typeof node === 'string') throw err;
    // First renewal: create it, owned by the Node so it goes away with it.
    await coordination.createNamespacedLease({
      namespace,
      body: {
        metadata: {
          name,
          ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata!.uid! }],
        },
        spec: { holderIdentity: name, leaseDurationSeconds: 40 },
      },
    });
    await renewLease(coordination, name);
  }
}
