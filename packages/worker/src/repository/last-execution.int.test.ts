import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/setup/database.js';
import {
  job,
  launchJob,
  PostgresJobRepository,
  parameters,
  runIdIncrementer,
  taskletStep,
} from '../index.js';

let db: TestDatabase;
let repo: PostgresJobRepository;

beforeAll(async () => {
  db = await createTestDatabase();
  repo = PostgresJobRepository.fromUrl(db.url);
});
afterAll(async () => {
  await repo.close();
  await db.drop();
});

describe('PostgresJobRepository.getLastJobExecution', () => {
  it('is the newest execution of the job across its instances, with typed parameters', async () => {
    expect(await repo.getLastJobExecution('pg-last')).toBeUndefined();
    let fail = true;
    const j = job('pg-last')
      .incrementer(runIdIncrementer())
      .start(
        taskletStep('t', () => {
          if (fail) throw new Error('first run fails');
          return 'FINISHED' as const;
        }),
      )
      .build();
    const day = new Date('2026-12-01T00:00:00.000Z');
    const p = parameters({ day, region: 'eu', dry: false }).with('note', 'a,b', { identifying: false });
    const failed = await launchJob(j, p, { repository: repo });
    expect(failed.status).toBe('FAILED');
    const last = await repo.getLastJobExecution('pg-last');
    expect(last).toMatchObject({ id: failed.id, status: 'FAILED', instance: { id: failed.instance.id } });
    expect(last!.parameters.toJSON()).toEqual(failed.parameters.toJSON());
    expect(last!.parameters.get('run.id')).toEqual({ value: 1, type: 'NUMBER', identifying: true });
    expect(last!.parameters.get('note')?.identifying).toBe(false);

    // The FAILED run is restarted (same run.id, same instance); the next launch increments.
    fail = false;
    const restarted = await launchJob(j, parameters(), { repository: repo });
    expect(restarted).toMatchObject({ status: 'COMPLETED', instance: { id: failed.instance.id } });
    const next = await launchJob(j, parameters(), { repository: repo });
    expect(next.status).toBe('COMPLETED');
    expect(next.instance.id).not.toBe(failed.instance.id);
    const newest = await repo.getLastJobExecution('pg-last');
    expect(newest?.id).toBe(next.id);
    expect(newest?.parameters.get('run.id')?.value).toBe(2);
    expect(newest?.parameters.date('day').toISOString()).toBe(day.toISOString());
    expect(await repo.getLastJobExecution('another-job')).toBeUndefined();
  });
});
