import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childrenOf, finished, launch, localPlatformEnv, registerScripted } from './composed-support.js';
import { type ErrorBody, startTestServer, type TestServer } from './harness.js';

/**
 * A composed run in /jobs/executions as SCDF showed it (its composed task runner was a Spring
 * Batch app): a job named after the definition, linked to the parent, one step per child with the
 * child's outcome; restarting that job restarts the composed task in the same job instance.
 */

interface Job {
  id: number;
  jobInstanceId: number;
  jobName: string;
  taskExecutionId: number | null;
  status: string;
  exitCode: string;
  restartable: boolean;
  parameters: { name: string; value: string; identifying: boolean }[];
  steps: { stepName: string; status: string; exitCode: string }[];
}

describe('a composed run as a batch job', () => {
  let s: TestServer;
  const jobOf = async (taskExecutionId: number) => {
    const list = await s.request<{ items: { id: number }[] }>(
      'GET',
      `/jobs/executions?taskExecutionId=${taskExecutionId}`,
    );
    expect(list.body.items).toHaveLength(1);
    return (await s.request<Job>('GET', `/jobs/executions/${list.body.items[0]!.id}`)).body;
  };

  beforeAll(async () => {
    s = await startTestServer(await localPlatformEnv());
    await registerScripted(s, ['a', 'b']);
    for (const [name, definition] of [
      ['good', 'a --print=x && b'],
      ['bad', "a && b --exit=3 'FAILED' -> $FAIL"],
    ] as const) {
      expect((await s.request('POST', '/tasks/definitions', { name, definition })).status).toBe(201);
    }
  });
  afterAll(() => s.close());

  it('a completed run: job COMPLETED, run.id the parent, a COMPLETED step per child', async () => {
    const parent = await launch(s, { name: 'good' });
    expect(await finished(s, parent.id)).toMatchObject({ status: 'COMPLETE' });
    const job = await jobOf(parent.id);
    expect(job).toMatchObject({
      jobName: 'good',
      taskExecutionId: parent.id,
      status: 'COMPLETED',
      exitCode: 'COMPLETED',
    });
    expect(job.parameters).toEqual([
      { name: 'run.id', type: 'NUMBER', value: String(parent.id), identifying: true },
    ]);
    expect(job.steps.map((st) => [st.stepName, st.status])).toEqual([
      ['good-a', 'COMPLETED'],
      ['good-b', 'COMPLETED'],
    ]);
    // The parent lists its job, as a Spring task's execution does.
    expect(
      (await s.request<{ jobExecutionIds: number[] }>('GET', `/tasks/executions/${parent.id}`)).body
        .jobExecutionIds,
    ).toEqual([job.id]);
  });

  it('a failed run fails the job with the failed step; restarting the job restarts the composed task in the same instance', async () => {
    const parent = await launch(s, { name: 'bad' });
    expect(await finished(s, parent.id)).toMatchObject({ status: 'FAILED' });
    const job = await jobOf(parent.id);
    expect(job).toMatchObject({ jobName: 'bad', status: 'FAILED', restartable: true });
    expect(job.steps.map((st) => [st.stepName, st.status, st.exitCode])).toEqual([
      ['bad-a', 'COMPLETED', 'COMPLETED'],
      ['bad-b', 'FAILED', 'FAILED'],
    ]);

    // Through both spellings: Batchyard's and SCDF's `?stop=true`.
    for (const path of [`/jobs/executions/${job.id}/stop`, `/jobs/executions/${job.id}?stop=true`]) {
      const stop = await s.request<ErrorBody>('PUT', path);
      expect(stop.status).toBe(409);
      expect(stop.body.message).toContain(`/tasks/executions/${parent.id}/stop`);
    }

    const restarted = await s.request<{ id: number }>('PUT', `/jobs/executions/${job.id}?restart=true`);
    expect(restarted.status).toBe(201);
    expect(await finished(s, restarted.body.id)).toMatchObject({ status: 'FAILED' });
    // A composed restart: only the failed child ran again.
    expect((await childrenOf(s, restarted.body.id)).map((c) => c.taskName)).toEqual(['bad-b']);
    const again = await jobOf(restarted.body.id);
    expect(again.jobInstanceId).toBe(job.jobInstanceId);
    expect(again.id).not.toBe(job.id);
    expect(again.parameters[0]).toMatchObject({ name: 'run.id', value: String(parent.id) });
    expect((await s.request<Job>('GET', `/jobs/executions/${job.id}`)).body.restartable).toBe(false);
  });
});
