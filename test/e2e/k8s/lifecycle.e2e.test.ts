import { PassThrough } from 'node:stream';
import {
  buildJob,
  jobName,
  KubeClient,
  parseDeployerProperties,
  type RecordedExecution,
} from '@batchyard/k8s';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestNamespace, type TestNamespace, waitFor } from '../../cluster/src/testing.js';
import { createDatabaseSecret, nodeLaunch, reconcileUntil } from './helpers.js';

/**
 * Built Jobs run through the real scheduler and Job controller (the node agent runs the pods), and
 * decide() — fed only what the API server shows — reaches the right status for each ending.
 */

let ns: TestNamespace;
let client: KubeClient;

beforeEach(async () => {
  ns = await createTestNamespace('k8s-life');
  client = new KubeClient(ns.kc);
  await createDatabaseSecret(ns);
});
afterEach(async () => {
  await ns.cleanup();
});

const terminal = (r: RecordedExecution): boolean =>
  ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'].includes(r.status);
const launched = (): RecordedExecution => ({ status: 'LAUNCHING', launchedAt: new Date() });

describe('task executions on the test cluster', () => {
  it('a successful task is COMPLETE with exit 0; its log is readable; it saw its identity and the DB URL', async () => {
    const script = [
      'console.log("execution", process.env.BATCHYARD_TASK_EXECUTION_ID)',
      'console.log("job", process.env.BATCHYARD_JOB_NAME)',
      'console.log("db", process.env.BATCHYARD_DATABASE_URL ? "set" : "missing")',
    ].join(';');
    const launch = nodeLaunch(ns, script);
    await client.createJob(buildJob(launch));
    const record = await reconcileUntil(client, launch, launched(), terminal, 'the task to finish');
    expect(record).toMatchObject({ status: 'COMPLETE', exitCode: 0, reason: 'Completed' });
    expect(record.startTime).toBeInstanceOf(Date);
    expect(record.endTime!.getTime()).toBeGreaterThanOrEqual(record.startTime!.getTime());

    const [pod] = await client.podsOfExecution(ns.namespace, launch.executionId);
    const log = await client.readPodLog(ns.namespace, pod!.metadata!.name!, { tailLines: 10 });
    expect(log).toContain(`execution ${launch.executionId}`);
    expect(log).toContain(`job ${jobName(launch.taskName, launch.executionId)}`);
    expect(log).toContain('db set');
  });

  it('a failing task is FAILED with its exit code', async () => {
    const launch = nodeLaunch(ns, 'console.error("bad input"); process.exit(3)');
    await client.createJob(buildJob(launch));
    const record = await reconcileUntil(client, launch, launched(), terminal, 'the task to fail');
    expect(record).toMatchObject({ status: 'FAILED', exitCode: 3 });
  });

  it('a task over its memory limit is FAILED OOMKilled with 137', async () => {
    const properties = parseDeployerProperties([{ 'limits.memory': '96Mi', 'requests.memory': '64Mi' }]);
    const script = 'const keep = []; setInterval(() => keep.push(Buffer.alloc(16 * 1024 * 1024, 1)), 20)';
    const launch = nodeLaunch(ns, script, properties);
    await client.createJob(buildJob(launch));
    const record = await reconcileUntil(client, launch, launched(), terminal, 'the task to be OOM-killed');
    expect(record).toMatchObject({ status: 'FAILED', exitCode: 137, reason: 'OOMKilled' });
  });

  it('a stopped task is STOPPED (SIGTERM, exit 143), never FAILED or COMPLETE', async () => {
    const properties = parseDeployerProperties([{ terminationGracePeriodSeconds: '5' }]);
    const launch = nodeLaunch(ns, 'console.log("working"); setInterval(() => {}, 1000)', properties);
    const name = jobName(launch.taskName, launch.executionId);
    await client.createJob(buildJob(launch));
    const running = await reconcileUntil(
      client,
      launch,
      launched(),
      (r) => r.status === 'RUNNING',
      'RUNNING',
    );

    // Follow the log while it runs: the stream ends when the container does.
    const out = new PassThrough();
    let followed = '';
    out.on('data', (chunk: Buffer) => {
      followed += chunk.toString();
    });
    const [pod] = await client.podsOfExecution(ns.namespace, launch.executionId);
    const controller = await client.followPodLog(ns.namespace, pod!.metadata!.name!, out);
    await waitFor('the followed log', async () => (followed.includes('working') ? true : undefined), 15_000);

    expect(await client.stopJob(ns.namespace, name)).toEqual({ found: true, gracePeriodSeconds: 5 });
    const stopping: RecordedExecution = { ...running, status: 'STOPPING', stopRequestedAt: new Date() };
    const record = await reconcileUntil(client, launch, stopping, terminal, 'the task to stop');
    controller.abort();
    expect(record).toMatchObject({ status: 'STOPPED', reason: 'Stopped' });
    // Foreground deletion keeps the Job until its pod is gone, but a 300 ms poll can miss the
    // moment the pod showed its exit (an informer would not): when seen, it is SIGTERM's 143.
    if (record.exitCode !== undefined) expect(record.exitCode).toBe(143);
    expect(followed).toContain('working');
  });

  it('a missing Secret is reported while pending, then FAILED and the Job deleted after the timeout', async () => {
    const launch = nodeLaunch(ns, 'console.log(1)', undefined, {
      databaseSecret: { name: 'no-such-secret', key: 'url' },
    });
    const name = jobName(launch.taskName, launch.executionId);
    await client.createJob(buildJob(launch));
    const pending = await reconcileUntil(
      client,
      launch,
      launched(),
      (r) => r.reason === 'CreateContainerConfigError',
      'the config error to be reported',
    );
    expect(pending.status).toBe('PENDING');
    const record = await reconcileUntil(client, launch, pending, terminal, 'the pending timeout');
    expect(record).toMatchObject({ status: 'FAILED', reason: 'CreateContainerConfigError' });
    await waitFor(
      'the Job to be deleted',
      async () => ((await client.readJob(ns.namespace, name)) ? undefined : true),
      30_000,
    );
  });

  it('an image that cannot be pulled is reported while pending', async () => {
    const launch = nodeLaunch(ns, 'x', undefined, { image: 'batchyard/does-not-exist:0' });
    await client.createJob(buildJob(launch));
    const record = await reconcileUntil(
      client,
      launch,
      launched(),
      (r) => r.reason === 'ErrImagePull' || r.reason === 'ImagePullBackOff',
      'the image pull error',
    );
    expect(record.status).toBe('PENDING');
  });

  it('a Job deleted behind our back makes the execution LOST', async () => {
    const launch = nodeLaunch(ns, 'setInterval(() => {}, 1000)');
    await client.createJob(buildJob(launch));
    const running = await reconcileUntil(
      client,
      launch,
      launched(),
      (r) => r.status === 'RUNNING',
      'RUNNING',
    );
    await client.deleteJob(ns.namespace, jobName(launch.taskName, launch.executionId));
    const record = await reconcileUntil(client, launch, running, terminal, 'LOST');
    expect(record).toMatchObject({ status: 'LOST', reason: 'JobNotFound' });
  });
});
