import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, TestServer } from './harness.js';
import { runSample, startSampleServer, type TaskRun } from './sample-runs.js';

// SCDF's job views: /jobs/thinexecutions and the job instance id filter, over real runs of the sample job.

interface Thin {
  executionId: number;
  name: string;
  instanceId: number;
  taskExecutionId: number | null;
  status: string;
  restartable: boolean;
}

describe('job thin executions and the job instance filter', () => {
  let server: TestServer;
  let failed: TaskRun;
  let restarted: TaskRun;
  let other: TaskRun;

  beforeAll(async () => {
    server = await startSampleServer();
    failed = await runSample(server, ['rows=400', 'seed=104', '--failAt=250']);
    restarted = await runSample(server, ['rows=400', 'seed=104']); // same instance, resumes it
    other = await runSample(server, ['rows=100', 'seed=302']);
  });
  afterAll(() => server.close());

  it('lists SCDF thin columns, newest first', async () => {
    const r = await server.request<{ items: (Thin & Record<string, unknown>)[] }>(
      'GET',
      '/jobs/thinexecutions',
    );
    expect(r.status).toBe(200);
    const ids = r.body.items.map((i) => i.executionId);
    expect(ids).toHaveLength(3);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    expect(r.body.items[0]).not.toHaveProperty('parameters');
    expect(r.body.items.map((i) => i.taskExecutionId)).toEqual([other.id, restarted.id, failed.id]);
  });

  it('jobInstanceId: the executions of one instance, on both list views, with paging', async () => {
    const all = (await server.request<{ items: Thin[] }>('GET', '/jobs/thinexecutions')).body.items;
    const instance = all.find((i) => i.taskExecutionId === failed.id)!.instanceId;
    expect(all.find((i) => i.taskExecutionId === restarted.id)!.instanceId).toBe(instance);
    const thin = await server.request<{ items: Thin[] }>(
      'GET',
      `/jobs/thinexecutions?jobInstanceId=${instance}`,
    );
    expect(thin.body.items.map((i) => i.taskExecutionId)).toEqual([restarted.id, failed.id]);
    const page1 = await server.request<{
      items: { id: number }[];
      page: { next: string | null; total?: number };
    }>('GET', `/jobs/executions?jobInstanceId=${instance}&size=1&total=true`);
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.page.total).toBe(2);
    const page2 = await server.request<{ items: { id: number }[]; page: { next: string | null } }>(
      'GET',
      `/jobs/executions?jobInstanceId=${instance}&size=1&cursor=${page1.body.page.next}`,
    );
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.page.next).toBeNull();
    expect(page2.body.items[0]!.id).toBeLessThan(page1.body.items[0]!.id);
    const none = await server.request<{ items: unknown[] }>(
      'GET',
      `/jobs/executions?jobInstanceId=${instance}&status=ABANDONED`,
    );
    expect(none.body.items).toEqual([]);
  });

  it('a bad instance id is a 400 naming it', async () => {
    const r = await server.request<ErrorBody>('GET', '/jobs/thinexecutions?jobInstanceId=zero');
    expect(r.status).toBe(400);
    expect(r.body.details[0]!.path).toBe('query.jobInstanceId');
  });
});
