import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrismaClient, type PrismaClient } from '@batchyard/db';
import { expectedSettlement, idRanges } from '@batchyard/sample-task';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiTokenService } from '../../../apps/server/src/auth/api-tokens.js';
import { freePort } from '../../../packages/db/src/embedded.js';
import { createTestNamespace, kubeconfigPath, type TestNamespace } from '../../cluster/src/testing.js';
import { createTestDatabase, type TestDatabase } from '../../setup/database.js';
import { until } from '../../setup/until.js';
import { type ServerProcess, startServerProcess } from '../launch/server.js';

/**
 * Remote partitions as Kubernetes Jobs: the real server binary with Kubernetes authentication on,
 * the sample's partitioned job in a manager pod that has no credential but its projected
 * ServiceAccount token (audience `batchyard`). The node agent gets that token from the TokenRequest
 * API as a kubelet does; the server's TokenReview names the pod, the pod's Job names the execution.
 */

interface Execution {
  id: number;
  status: string;
  reason: string | null;
  errorMessage: string | null;
  externalExecutionId: string | null;
  parentExecutionId: number | null;
  partitionStepExecutionId: number | null;
  manifest: {
    spec?: { template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } } };
  };
}
interface Step {
  step_name: string;
  status: string;
  exit_message: string;
  write_count: string;
}
const TERMINAL = ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'];
const ROWS = 2000;
const SEED = 21;

describe('remote partitions as Kubernetes Jobs (projected ServiceAccount token)', () => {
  let ns: TestNamespace;
  let db: TestDatabase;
  let server: ServerProcess;
  let prisma: PrismaClient;
  let pool: pg.Pool;
  let auth: Record<string, string>;
  let work: string;

  const call = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const get = (id: number) => call<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body);
  const ended = (id: number) =>
    until(
      () => get(id),
      (e) => TERMINAL.includes(e.status),
      `execution ${id} to end`,
      240_000,
    );
  const children = (id: number) =>
    call<{ items: Execution[] }>('GET', `/tasks/executions?parent=${id}&size=100`).then((r) => r.body.items);
  const steps = (task: number) =>
    pool
      .query<Step>(
        `SELECT se.step_name, se.status, se.exit_message, se.write_count
           FROM batch_step_execution se JOIN task_task_batch tb ON tb.job_execution_id = se.job_execution_id
          WHERE tb.task_execution_id = $1 ORDER BY se.step_execution_id`,
        [task],
      )
      .then((r) => r.rows);
  const launch = async (args: string[], properties: Record<string, string> = {}) => {
    const r = await call<Execution>('POST', '/tasks/executions', {
      name: 'partitioned',
      arguments: args,
      properties,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id;
  };

  beforeAll(async () => {
    ns = await createTestNamespace('parts');
    db = await createTestDatabase();
    await ns.core.createNamespacedSecret({
      namespace: ns.namespace,
      body: { metadata: { name: 'batchyard-database' }, stringData: { url: db.url } },
    });
    work = await mkdtemp(join(tmpdir(), 'batchyard-k8s-partitions-'));
    const port = await freePort();
    const config = join(work, 'batchyard.json'); // JSON is YAML
    writeFileSync(
      config,
      JSON.stringify({
        auth: { tokens: { enabled: true }, kubernetes: { audience: 'batchyard' } },
        platforms: [
          {
            name: 'k8s',
            type: 'kubernetes',
            kubeconfig: kubeconfigPath(),
            namespace: ns.namespace,
            pendingTimeoutSeconds: 60,
            defaults: { 'requests.cpu': '10m' },
            // Pods are processes of this machine: the server's loopback port is its in-cluster URL.
            taskApiUrl: `http://127.0.0.1:${port}`,
          },
        ],
      }),
    );
    server = await startServerProcess(
      {
        BATCHYARD_CONFIG: config,
        DATABASE_URL: db.url,
        BATCHYARD_REGISTER_SAMPLES: 'false',
        BATCHYARD_RESYNC_SECONDS: '2',
      },
      port,
    );
    prisma = createPrismaClient({ url: db.url, poolSize: 2 });
    const token = await new ApiTokenService(prisma).create(
      { name: 'e2e', roles: ['VIEW', 'CREATE', 'DEPLOY', 'DESTROY', 'MODIFY', 'SCHEDULE', 'MANAGE'] },
      'e2e',
    );
    auth = { authorization: `Bearer ${token.token}` };
    pool = new pg.Pool({ connectionString: db.url });
    expect(
      (await call('POST', '/apps/task/settlement/1.0', { uri: 'docker:batchyard/worker-sample:1.0' })).status,
    ).toBe(201);
    const def = await call('POST', '/tasks/definitions', {
      name: 'partitioned',
      definition: 'settlement --job=partitioned --chunkSize=100 --partitions=4',
    });
    expect(def.status).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await pool?.end();
    await prisma?.$disconnect();
    await server?.kill('SIGTERM');
    await ns?.cleanup();
    await db?.drop();
  });

  it('the manager pod launches 4 partition Jobs with its own token; they complete and the step aggregates', async () => {
    const input = join(work, 'ok.csv');
    const manager = await launch([`rows=${ROWS}`, `seed=${SEED}`, `input=${input}`], {
      'deployer.settlement.partition.limits.memory': '768Mi',
    });
    const done = await ended(manager);
    expect(done.status, `${done.reason} ${done.errorMessage}\n${server.output().slice(-3000)}`).toBe(
      'COMPLETE',
    );

    // The manager's pod had no credential but the projected token: no secret in its Job at all.
    const job = await ns.batch.readNamespacedJob({
      name: done.externalExecutionId!,
      namespace: ns.namespace,
    });
    const pod = job.spec?.template.spec;
    expect(pod?.volumes?.find((v) => v.name === 'batchyard-task-token')?.projected?.sources).toEqual([
      { serviceAccountToken: { audience: 'batchyard', expirationSeconds: 600, path: 'token' } },
    ]);
    expect(JSON.stringify(pod)).not.toMatch(/byt_/);
    // The stored (sanitised) manifest shows where the token is: a path, not masked as a secret.
    const env = done.manifest.spec?.template?.spec?.containers?.[0]?.env ?? [];
    expect(env.find((e) => e.name === 'BATCHYARD_TASK_TOKEN_FILE')?.value).toBe(
      '/var/run/secrets/batchyard.io/task/token',
    );

    const kids = await children(manager);
    expect(kids).toHaveLength(4);
    for (const k of kids) {
      expect(k).toMatchObject({ parentExecutionId: manager, status: 'COMPLETE' });
      const kj = await ns.batch.readNamespacedJob({ name: k.externalExecutionId!, namespace: ns.namespace });
      // Each partition is its own Job, with the partition's own memory limit.
      expect(kj.spec?.template.spec?.containers[0]?.resources?.limits).toEqual({ memory: '768Mi' });
      expect(kj.spec?.template.spec?.containers[0]?.args).toContain(
        `--partition-step-execution=${k.partitionStepExecutionId}`,
      );
    }
    expect(job.spec?.template.spec?.containers[0]?.resources?.limits).toBeUndefined();
    // The partitions were launched by the manager pod itself, as its service account, no one else.
    const audit = await pool.query<{ principal: string }>(
      `SELECT DISTINCT principal FROM audit_record WHERE action = 'LAUNCH' AND correlation_id = ANY($1)`,
      [kids.map((k) => String(k.id))],
    );
    expect(audit.rows).toEqual([{ principal: `k8s:system:serviceaccount:${ns.namespace}:default` }]);
    const all = await steps(manager);
    const parts = all.filter((s) => s.step_name.startsWith('settle:'));
    expect(parts.map((p) => p.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    const expected = [...expectedSettlement(ROWS, SEED).values()].reduce((n, m) => n + m.count, 0);
    expect(Number(all.find((s) => s.step_name === 'settle')?.write_count)).toBe(expected);
    const rows = await pool.query<{ n: number; d: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM partitioned_tx',
    );
    expect(rows.rows[0]).toEqual({ n: expected, d: expected });

    // The manager ended: nothing more is launched for it.
    const late = await call('POST', `/tasks/executions/${manager}/partitions`, {
      partitions: [{ stepExecutionId: kids[0]!.partitionStepExecutionId }],
    });
    expect(late.status).toBe(409);
  });

  it('one partition pod OOM-killed fails that partition, the step and the job; a restart re-runs only it', async () => {
    const input = join(work, 'oom.csv');
    const base = [`rows=${ROWS}`, `seed=${SEED + 1}`, `input=${input}`];
    const properties = { 'deployer.settlement.partition.limits.memory': '768Mi' };
    // p1 takes 1 GiB after its first committed chunk (non-identifying: the restart leaves it out).
    const first = await launch([...base, '--hogPartition=p1'], properties);
    const done = await ended(first);
    expect(done.status, `${done.reason} ${done.errorMessage}`).toBe('FAILED');
    const kids = await children(first);
    expect(kids).toHaveLength(4);
    const byStep = new Map((await steps(first)).map((s) => [s.step_name, s]));
    const p1 = byStep.get('settle:p1');
    const oom = kids.filter((k) => k.status === 'FAILED');
    expect(oom).toHaveLength(1);
    expect(oom[0]).toMatchObject({ reason: 'OOMKilled' });
    expect(kids.filter((k) => k.status === 'COMPLETE')).toHaveLength(3);
    expect(p1).toMatchObject({ status: 'FAILED' });
    expect(p1?.exit_message).toContain('OOMKilled');
    for (const name of ['settle:p0', 'settle:p2', 'settle:p3'])
      expect(byStep.get(name)?.status).toBe('COMPLETED');
    expect(byStep.get('settle')?.status).toBe('FAILED');
    expect(byStep.get('settle')?.exit_message).toContain('settle:p1 (FAILED');
    // It was killed past its first chunk, whose commit stands.
    expect(Number(p1?.write_count)).toBeGreaterThan(0);
    const jobOf = async (task: number) =>
      (
        await pool.query<{ instance: string; status: string; key: string }>(
          `SELECT je.job_instance_id AS instance, je.status, ji.job_key AS key
             FROM batch_job_execution je JOIN batch_job_instance ji ON ji.job_instance_id = je.job_instance_id
             JOIN task_task_batch tb ON tb.job_execution_id = je.job_execution_id WHERE tb.task_execution_id = $1`,
          [task],
        )
      ).rows[0];
    const failedJob = await jobOf(first);
    expect(failedJob?.status).toBe('FAILED');

    // Spring Batch's restart: the same identifying parameters (and properties), without the fault.
    const second = await launch(base, properties);
    const again = await ended(second);
    expect(again.status, `${again.reason} ${again.errorMessage}`).toBe('COMPLETE');
    const restarted = await jobOf(second);
    expect(restarted).toMatchObject({ instance: failedJob?.instance, status: 'COMPLETED' });
    // Exactly one new partition Job: the three completed partitions are reused, not re-run.
    const rerunKids = await children(second);
    expect(rerunKids).toHaveLength(1);
    expect(rerunKids[0]).toMatchObject({ status: 'COMPLETE', parentExecutionId: second });
    const rerun = (await steps(second)).filter((s) => s.step_name.startsWith('settle:'));
    expect(rerun.map((s) => [s.step_name, s.status])).toEqual([['settle:p1', 'COMPLETED']]);
    // p1 resumed after its committed chunk: the two attempts wrote its range once between them.
    const expected = [...expectedSettlement(ROWS, SEED + 1).values()].reduce((n, m) => n + m.count, 0);
    const rows = await pool.query<{ n: number; d: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM partitioned_tx WHERE run_key = $1',
      [restarted?.key],
    );
    expect(rows.rows[0]).toEqual({ n: expected, d: expected });
    const { lo, hi } = idRanges(ROWS, 4).p1!;
    const p1Rows = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM partitioned_tx WHERE run_key = $1 AND id BETWEEN $2 AND $3',
      [restarted?.key, lo, hi],
    );
    expect(Number(p1?.write_count) + Number(rerun[0]?.write_count)).toBe(p1Rows.rows[0]?.n);
  });

  it('a stop of the manager stops every running partition Job', async () => {
    const input = join(work, 'stop.csv');
    const manager = await launch([`rows=${ROWS}`, `seed=${SEED + 2}`, `input=${input}`, '--delayMs=50']);
    const running = await until(
      () => children(manager),
      (k) => k.length === 4 && k.every((c) => c.status === 'RUNNING'),
      'four running partitions',
    );
    const jobNames = running.map((k) => k.externalExecutionId!);
    expect(jobNames.every(Boolean)).toBe(true);
    const stop = await call('POST', `/tasks/executions/${manager}/stop`);
    expect(stop.status).toBe(200);
    expect((await ended(manager)).status).toBe('STOPPED');
    const kids = await until(
      () => children(manager),
      (k) => k.every((c) => TERMINAL.includes(c.status)),
      'every partition to end',
    );
    expect(kids.map((k) => k.status)).toEqual(['STOPPED', 'STOPPED', 'STOPPED', 'STOPPED']);
    const partitionSteps = (await steps(manager)).filter((p) => p.step_name.startsWith('settle:'));
    expect(partitionSteps.map((p) => p.status)).toEqual(['STOPPED', 'STOPPED', 'STOPPED', 'STOPPED']);
    // On Kubernetes a stop deletes the Job (Foreground: its pod gets SIGTERM first): none is left.
    await until(
      () => ns.batch.listNamespacedJob({ namespace: ns.namespace }),
      (list) => !list.items.some((j) => jobNames.includes(j.metadata?.name ?? '')),
      'the partition Jobs to be deleted',
    );
  });
});
