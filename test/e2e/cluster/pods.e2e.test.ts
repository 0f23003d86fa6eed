import { Writable } from 'node:stream';
import { Log, type V1Container, type V1Pod } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createTestNamespace,
  type TestNamespace,
  testImages,
  waitFor,
  waitForPod,
} from '../../cluster/src/testing.js';

/** Pod behaviour a kubelet owes the control plane, observed only through the Kubernetes API. */

let ns: TestNamespace;
beforeEach(async () => {
  ns = await createTestNamespace('pods');
});
afterEach(async () => {
  await ns.cleanup();
});

async function createPod(
  name: string,
  container: Omit<V1Container, 'name'>,
  extra: Partial<V1Pod['spec']> = {},
) {
  return ns.core.createNamespacedPod({
    namespace: ns.namespace,
    body: {
      metadata: { name },
      spec: { restartPolicy: 'Never', containers: [{ name: 'main', ...container }], ...extra },
    },
  });
}

const terminal = (p: V1Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

describe('pods on the test cluster', () => {
  it('returns what the process printed through pods/log', async () => {
    await ns.core.createNamespacedSecret({
      namespace: ns.namespace,
      body: { metadata: { name: 'creds' }, stringData: { password: 's3cret' } },
    });
    await ns.core.createNamespacedConfigMap({
      namespace: ns.namespace,
      body: { metadata: { name: 'settings' }, data: { MODE: 'fast', LEVEL: 'debug' } },
    });
    await createPod('printer', {
      image: testImages().shell,
      command: [
        '/bin/sh',
        '-c',
        'echo "line one"; echo "to stderr" >&2; echo "pw=$PW mode=$MODE cfg_LEVEL=$CFG_LEVEL greet=$GREET"',
      ],
      env: [
        { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
        { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'MODE' } } },
        { name: 'WHO', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'GREET', value: 'hi-$(WHO)' },
      ],
      envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'settings' } }],
    });
    const pod = await waitForPod(ns, 'printer', 'terminal', terminal);
    expect(pod.status?.phase).toBe('Succeeded');
    const log = await ns.core.readNamespacedPodLog({ name: 'printer', namespace: ns.namespace });
    expect(log).toContain('line one\n');
    expect(log).toContain('to stderr\n');
    expect(log).toContain('pw=s3cret mode=fast cfg_LEVEL=debug greet=hi-printer');
    const tail = await ns.core.readNamespacedPodLog({
      name: 'printer',
      namespace: ns.namespace,
      tailLines: 1,
    });
    expect(tail.trim().split('\n')).toHaveLength(1);
    const stamped = await ns.core.readNamespacedPodLog({
      name: 'printer',
      namespace: ns.namespace,
      timestamps: true,
    });
    expect(stamped.split('\n')[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line one$/);
  });

  it('OOM-kills a process that allocates past its memory limit (exit 137)', async () => {
    const script =
      'const keep = []; setInterval(() => { for (let i = 0; i < 4; i++) keep.push(Buffer.alloc(8 << 20, 1));' +
      ' if (keep.length > 160) process.exit(3); }, 50);';
    await createPod('hog', {
      image: testImages().node,
      command: ['node', '-e', script],
      resources: { requests: { memory: '64Mi' }, limits: { memory: '128Mi' } },
    });
    const pod = await waitForPod(ns, 'hog', 'terminal', terminal);
    expect(pod.status?.phase).toBe('Failed');
    const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
    expect(terminated?.reason).toBe('OOMKilled');
    expect(terminated?.exitCode).toBe(137);
  });

  it('restarts a failing container under restartPolicy OnFailure', async () => {
    await createPod(
      'crasher',
      { image: testImages().shell, command: ['/bin/sh', '-c', 'echo attempt; exit 3'] },
      { restartPolicy: 'OnFailure' },
    );
    const pod = await waitForPod(
      ns,
      'crasher',
      'restarted once',
      (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
    );
    const status = pod.status?.containerStatuses?.[0];
    expect(status?.lastState?.terminated?.exitCode).toBe(3);
    expect(pod.status?.phase).toBe('Running');
    const previous = await ns.core.readNamespacedPodLog({
      name: 'crasher',
      namespace: ns.namespace,
      previous: true,
    });
    expect(previous).toBe('attempt\n');
  });

  it('fails a pod that runs past activeDeadlineSeconds (DeadlineExceeded)', async () => {
    await createPod(
      'overtime',
      { image: testImages().shell, command: ['/bin/sh', '-c', 'sleep 300'] },
      { activeDeadlineSeconds: 2, terminationGracePeriodSeconds: 1 },
    );
    const pod = await waitForPod(ns, 'overtime', 'terminal', terminal);
    expect(pod.status?.phase).toBe('Failed');
    expect(pod.status?.reason).toBe('DeadlineExceeded');
  });

  it('keeps a pod with an unknown image Pending in ImagePullBackOff', async () => {
    await createPod('missing', { image: 'batchyard/no-such-image:0.0.0', command: ['/bin/true'] });
    const pod = await waitForPod(
      ns,
      'missing',
      'ImagePullBackOff',
      (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff',
    );
    expect(pod.status?.phase).toBe('Pending');
  });

  it('leaves a pod that asks for more CPU than the node has Pending and Unschedulable', async () => {
    await createPod('too-big', {
      image: testImages().shell,
      command: ['/bin/sh', '-c', 'true'],
      resources: { requests: { cpu: '500' } },
    });
    const pod = await waitForPod(ns, 'too-big', 'PodScheduled=False', (p) =>
      (p.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.status === 'False'),
    );
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    expect(scheduled?.reason).toBe('Unschedulable');
    expect(pod.status?.phase).toBe('Pending');
    expect(pod.spec?.nodeName).toBeFalsy();
  });

  it('terminates the process when a running pod is deleted', async () => {
    // The script acknowledges SIGTERM on stdout; a followed log stream sees it before the pod goes.
    const script = "trap 'echo got-sigterm; exit 0' TERM; echo started; while true; do sleep 0.1; done";
    await createPod(
      'sleeper',
      { image: testImages().shell, command: ['/bin/sh', '-c', script] },
      {
        terminationGracePeriodSeconds: 60,
      },
    );
    await waitForPod(ns, 'sleeper', 'Running', (p) => p.status?.phase === 'Running');
    let output = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        output += chunk.toString();
        done();
      },
    });
    const follow = await new Log(ns.kc).log(ns.namespace, 'sleeper', 'main', sink, { follow: true });
    await waitFor(
      '"started" in the followed log',
      async () => (output.includes('started') ? true : undefined),
      30_000,
    );
    await ns.core.deleteNamespacedPod({ name: 'sleeper', namespace: ns.namespace });
    await waitFor(
      '"got-sigterm" in the followed log',
      async () => (output.includes('got-sigterm') ? true : undefined),
      60_000,
    );
    follow.abort();
    // The node agent finishes the deletion once the process has exited, as a kubelet does.
    await waitFor(
      'pod sleeper gone',
      async () => {
        try {
          await ns.core.readNamespacedPod({ name: 'sleeper', namespace: ns.namespace });
          return undefined;
        } catch (err) {
          return (err as { code?: number }).code === 404 ? true : undefined;
        }
      },
      90_000,
    );
  });
});
