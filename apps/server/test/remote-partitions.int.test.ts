import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectedSettlement } from '@batchyard/sample-task';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../../test/setup/until.js';
import { ApiTokenService } from '../src/auth/api-tokens.js';
import { TaskTokens } from '../src/auth/task-tokens.js';
import { startTestServer, type TestServer } from './harness.js';
import { SAMPLE_MAIN } from './sample-runs.js';

// The sample's partitioned job (apps/sample-task, built), launched through the API on the local
// platform with authentication on: the manager step launches its partitions with its own task token.

interface Execution {
  id: number;
  status: string;
  reason: string | null;
  parentExecutionId: number | null;
  partitionStepExecutionId: number | null;
  arguments: string[];
  manifest: { environment?: string[] } | null;
}
interface Page {
  items: Execution[];
}
interface Step {
  step_execution_id: string;
  step_name: string;
  status: string;
  exit_message: string;
  read_count: string;
  write_count: string;
}

const TERMINAL = ['COMPLETE', 'FAILED', 'STOPPED', 'LOST'];
const ROWS = 2000;
const SEED = 11;

describe('remote partitions on the local platform (real server, real worker processes)', () => {
  let s: TestServer;
  let pool: pg.Pool;
  let work: string;
  let auth: Record<string, string>;
  const call = <T>(method: string, path: string, body?: unknown, headers = auth) =>
    s.request<T>(method, path, body, headers);
  const get = (id: number) => call<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body);
  const ended = (id: number) =>
    until(
      () => get(id),
      (e) => TERMINAL.includes(e.status),
      `execution ${id} to end`,
    );
  const children = (id: number) =>
    call<Page>('GET', `/tasks/executions?parent=${id}&size=100`).then((r) => r.body.items);
  const steps = (jobTask: number) =>
    pool
      .query<Step>(
        `SELECT se.step_execution_id, se.step_name, se.status, se.exit_message, se.read_count, se.write_count
           FROM batch_step_execution se JOIN task_task_batch tb ON tb.job_execution_id = se.job_execution_id
          WHERE tb.task_execution_id = $1 ORDER BY se.step_execution_id`,
        [jobTask],
      )
      .then((r) => r.rows);
  const launch = async (args: string[]) => {
    const r = await call<Execution>('POST', '/tasks/executions', { name: 'partitioned', arguments: args });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id;
  };
  const expectedRows = [...expectedSettlement(ROWS, SEED).values()].reduce((n, m) => n + m.count, 0);

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'batchyard-partitions-'));
    s = await startTestServer({
      BATCHYARD_PLATFORMS: JSON.stringify([{ name: 'local', type: 'local', workDir: work }]),
      BATCHYARD_AUTH_TOKENS_ENABLED: 'true',
    });
    const token = await new ApiTokenService(s.prisma).create(
      { name: 'test', roles: ['VIEW', 'CREATE', 'DEPLOY', 'DESTROY', 'MODIFY', 'SCHEDULE', 'MANAGE'] },
      'test',
    );
    auth = { authorization: `Bearer ${token.token}` };
    pool = new pg.Pool({ connectionString: s.db.url });
    const app = await call('POST', '/apps/task/settlement/1.0', {
      uri: 'docker:batchyard/worker-sample:1.0',
      command: [process.execPath, SAMPLE_MAIN],
    });
    expect(app.status).toBe(201);
    const def = await call('POST', '/tasks/definitions', {
      name: 'partitioned',
      definition: 'settlement --job=partitioned --chunkSize=50 --partitions=4',
    });
    expect(def.status).toBe(201);
  });
  afterAll(async () => {
    await pool?.end();
    await s?.close();
  });

  it('runs each partition as its own child execution and aggregates their counts', async () => {
    const input = join(work, 'ok.csv');
    const manager = await launch([`rows=${ROWS}`, `seed=${SEED}`, `input=${input}`]);
    expect((await ended(manager)).status).toBe('COMPLETE');

    const kids = await children(manager);
    expect(kids).toHaveLength(4);
    const all = await steps(manager);
    const partitions = all.filter((p) => p.step_name.startsWith('settle:'));
    expect(partitions.map((p) => p.step_name).sort()).toEqual([
      'settle:p0',
      'settle:p1',
      'settle:p2',
      'settle:p3',
    ]);
    for (const p of partitions) expect(p.status).toBe('COMPLETED');
    // Each child is shown as a partition of the manager, and runs exactly its step execution.
    expect(kids.map((k) => k.partitionStepExecutionId).sort()).toEqual(
      partitions.map((p) => Number(p.step_execution_id)).sort(),
    );
    for (const k of kids) {
      expect(k).toMatchObject({ parentExecutionId: manager, status: 'COMPLETE' });
      expect(k.arguments).toContain(`--partition-step-execution=${k.partitionStepExecutionId}`);
      // The token reached the process by name only: never its value in a stored manifest.
      expect(k.manifest?.environment).toContain('BATCHYARD_TASK_TOKEN');
      expect(JSON.stringify(k.manifest)).not.toMatch(/byt_/);
    }
    const settle = all.find((p) => p.step_name === 'settle')!;
    expect(settle.status).toBe('COMPLETED');
    expect(Number(settle.write_count)).toBe(partitions.reduce((n, p) => n + Number(p.write_count), 0));
    expect(Number(settle.write_count)).toBe(expectedRows);
    const rows = await pool.query<{ n: number; d: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM partitioned_tx',
    );
    expect(rows.rows[0]).toEqual({ n: expectedRows, d: expectedRows });

    const again = await call<{ items: { stepExecutionId: number; executionId: number }[] }>(
      'POST',
      `/tasks/executions/${manager}/partitions`,
      { partitions: [{ stepExecutionId: kids[0]!.partitionStepExecutionId }] },
    );
    // The manager ended: nothing more is launched for it.
    expect(again.status).toBe(409);

    // The partitions' own deployer properties are checked with the manager's launch.
    const bad = await call<{ details: { path: string }[] }>('POST', '/tasks/executions', {
      name: 'partitioned',
      properties: { 'deployer.settlement.partition.bogus': '1' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d) => d.path)).toEqual([
      'body.properties.deployer.settlement.partition.bogus',
    ]);

    // The routes are in the API description.
    const doc = (await call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths['/tasks/executions/{id}/partitions'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/tasks/executions/{id}/partitions/stop']).toHaveProperty('post');
  });

  it('fails the step when one partition fails; a restart re-runs only that partition', async () => {
    const input = join(work, 'fail.csv');
    // Id 1700 lies in the last partition's range (1501..2000).
    const base = [`rows=${ROWS}`, `seed=${SEED + 1}`, `input=${input}`];
    const first = await launch([...base, '--failAt=1700']);
    expect((await ended(first)).status).toBe('FAILED');
    const firstKids = await children(first);
    expect(firstKids).toHaveLength(4);
    expect(firstKids.filter((k) => k.status === 'FAILED')).toHaveLength(1);
    const firstSteps = await steps(first);
    const failed = firstSteps.filter((p) => p.status === 'FAILED').map((p) => p.step_name);
    expect(failed.sort()).toEqual(['settle', 'settle:p3']);
    expect(firstSteps.find((p) => p.step_name === 'settle')?.exit_message).toContain('settle:p3 (FAILED');

    // Restart (same identifying parameters, without the failure): only p3 is launched again.
    const second = await launch(base);
    expect((await ended(second)).status).toBe('COMPLETE');
    const secondKids = await children(second);
    expect(secondKids).toHaveLength(1);
    const rerun = (await steps(second)).filter((p) => p.step_name.startsWith('settle:'));
    expect(rerun.map((p) => [p.step_name, p.status])).toEqual([['settle:p3', 'COMPLETED']]);
    const expected = [...expectedSettlement(ROWS, SEED + 1).values()].reduce((n, m) => n + m.count, 0);
    const runKey = await pool.query<{ k: string }>(
      `SELECT ji.job_key AS k FROM batch_job_instance ji JOIN batch_job_execution je ON je.job_instance_id = ji.job_instance_id
         JOIN task_task_batch tb ON tb.job_execution_id = je.job_execution_id WHERE tb.task_execution_id = $1`,
      [second],
    );
    const rows = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM partitioned_tx WHERE run_key = $1',
      [runKey.rows[0]?.k],
    );
    expect(rows.rows[0]?.n).toBe(expected);
  });

  it('a stop of the manager stops every partition', async () => {
    const input = join(work, 'stop.csv');
    const manager = await launch([`rows=${ROWS}`, `seed=${SEED + 2}`, `input=${input}`, '--delayMs=20']);
    await until(
      () => children(manager),
      (k) => k.length === 4 && k.every((c) => c.status === 'RUNNING'),
      'four running partitions',
    );
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
  });

  it('past its timeout the manager stops its partitions and fails the step', async () => {
    const input = join(work, 'timeout.csv');
    const manager = await launch([
      `rows=${ROWS}`,
      `seed=${SEED + 4}`,
      `input=${input}`,
      '--delayMs=20',
      '--partitionTimeoutSeconds=2',
    ]);
    expect((await ended(manager)).status).toBe('FAILED');
    const kids = await children(manager);
    expect(kids.map((k) => k.status)).toEqual(['STOPPED', 'STOPPED', 'STOPPED', 'STOPPED']);
    const settle = (await steps(manager)).find((p) => p.step_name === 'settle');
    expect(settle?.status).toBe('FAILED');
    expect(settle?.exit_message).toContain('did not finish within 2 s');
  });

  it('a killed partition fails its step with the reason; repeats launch nothing; tokens act for their own execution only', async () => {
    const input = join(work, 'kill.csv');
    const manager = await launch([`rows=${ROWS}`, `seed=${SEED + 3}`, `input=${input}`, '--delayMs=20']);
    const kids = await until(
      () => children(manager),
      (k) => k.length === 4 && k.every((c) => c.status === 'RUNNING'),
      'four running partitions',
    );
    // Idempotent: asking again for a launched partition answers the same child, launches nothing.
    const first = kids[0]!;
    const repeat = await call<{ items: { stepExecutionId: number; executionId: number }[] }>(
      'POST',
      `/tasks/executions/${manager}/partitions`,
      { partitions: [{ stepExecutionId: first.partitionStepExecutionId }] },
    );
    expect(repeat.status).toBe(201);
    expect(repeat.body.items).toEqual([
      expect.objectContaining({ stepExecutionId: first.partitionStepExecutionId, executionId: first.id }),
    ]);
    expect(await children(manager)).toHaveLength(4);
    const foreign = await call<{ details: { path: string }[] }>(
      'POST',
      `/tasks/executions/${manager}/partitions`,
      {
        partitions: [{ stepExecutionId: 999_999 }],
      },
    );
    expect(foreign.status).toBe(400);
    expect(foreign.body.details[0]?.path).toBe('body.partitions.0.stepExecutionId');

    // A task token (a fresh one of the partition's execution; the manager's own is in use): its
    // own execution's partitions yes; another execution's, or any other route, no.
    const token = { authorization: `Bearer ${await new TaskTokens(s.prisma).mint(first.id)}` };
    const own = await call<{ items: unknown[] }>(
      'GET',
      `/tasks/executions/${first.id}/partitions`,
      undefined,
      token,
    );
    expect(own.status).toBe(200);
    expect(own.body.items).toEqual([]);
    expect((await call('GET', `/tasks/executions/${manager}/partitions`, undefined, token)).status).toBe(403);
    expect((await call('GET', `/tasks/executions/${first.id}`, undefined, token)).status).toBe(403);
    expect((await call('POST', '/tasks/executions', { name: 'partitioned' }, token)).status).toBe(403);

    // The platform kills one partition's process outright (as an OOM kill does).
    const pid = Number((await readFile(join(work, `local-${first.id}`, 'pid'), 'utf8')).trim());
    process.kill(-pid, 'SIGKILL');
    expect((await ended(first.id)).status).toBe('FAILED');
    expect((await ended(manager)).status).toBe('FAILED');
    const killed = (await steps(manager)).find(
      (p) => Number(p.step_execution_id) === first.partitionStepExecutionId,
    );
    expect(killed?.status).toBe('FAILED');
    expect(killed?.exit_message).toContain(`execution ${first.id} Killed`);
    // A token ends with its execution.
    expect((await call('GET', `/tasks/executions/${first.id}/partitions`, undefined, token)).status).toBe(
      401,
    );
  });
});
