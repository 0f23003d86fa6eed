import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, launch, localPlatformEnv, registerScripted } from './composed-support.js';
import { startTestServer, type TestServer } from './harness.js';
import { existingIds, seedHistory, sql } from './retention-support.js';

// Retention with real launches on the local platform: the archive written before the delete (and
// never holding a secret given at launch), launches unaffected while a big run deletes, and the
// loop running on the leader only.

interface Run {
  removed: Record<string, number>;
  archiveFile: string | null;
  batches: number;
}

describe('retention archive and concurrency', { timeout: 300_000 }, () => {
  let s: TestServer;
  let archiveDir: string;
  const canary = `cnry${randomBytes(8).toString('hex')}`;
  const key = randomBytes(32).toString('base64');

  beforeAll(async () => {
    archiveDir = await mkdtemp(join(tmpdir(), 'batchyard-archive-'));
    s = await startTestServer(
      {
        ...(await localPlatformEnv()),
        BATCHYARD_RETENTION_DAYS: '30',
        BATCHYARD_RETENTION_INTERVAL_SECONDS: '0',
        BATCHYARD_RETENTION_PAUSE_MS: '0',
        BATCHYARD_RETENTION_ARCHIVE_DIR: archiveDir,
        BATCHYARD_SCHEDULE_CHECK_SECONDS: '0',
        BATCHYARD_REGISTER_SAMPLES: 'false',
      },
      { yaml: { redaction: { encryptionKey: key } } },
    );
    await registerScripted(s, ['hello']);
    await s.request('POST', '/tasks/definitions', { name: 'secretive', definition: 'hello' });
    await s.request('POST', '/tasks/definitions', { name: 'busy', definition: 'hello' });
  });
  afterAll(() => s.close());

  it('archives what it deletes as JSON lines, fsynced first, without the secrets given at launch', async () => {
    const e = await launch(s, {
      name: 'secretive',
      arguments: [`--db.password=${canary}`, `--url=postgres://u:${canary}@db/x`, '--mode=fast'],
      properties: { 'app.hello.client-secret': canary },
    });
    await finished(s, e.id);
    // The row holds the sealed secrets and a log tail in which the task printed its arguments.
    const row = await sql(
      s.db.url,
      'SELECT sealed_launch, log_tail FROM batchyard_task_execution WHERE id = $1',
      [e.id],
    );
    expect(row.rows[0].sealed_launch).not.toBeNull();
    expect(row.rows[0].log_tail).toContain(canary);
    // A Java app could write a secret into its job parameters: give the execution such a job.
    const [donor] = await seedHistory(s.db.url, { task: 'donor', count: 1, endedDaysAgo: 1 });
    await sql(s.db.url, 'UPDATE task_task_batch SET task_execution_id = $1 WHERE task_execution_id = $2', [
      e.id,
      donor,
    ]);
    await sql(
      s.db.url,
      `INSERT INTO batch_job_execution_params
       SELECT job_execution_id, 'db.password', 'java.lang.String', $2, 'N' FROM task_task_batch WHERE task_execution_id = $1`,
      [e.id, canary],
    );
    await sql(
      s.db.url,
      `UPDATE batchyard_task_execution SET end_time = now() - interval '40 days' WHERE id = $1`,
      [e.id],
    );

    const r = await s.request<Run>('POST', '/tasks/retention/run');
    expect(r.status).toBe(200);
    expect(r.body.removed.task_execution, JSON.stringify(r.body)).toBe(1);
    expect(r.body.archiveFile).toMatch(/retention-\d{4}-\d\d-\d\dT[\d-]+\.\d+Z\.jsonl$/);
    expect(await readdir(archiveDir)).toHaveLength(1);
    const text = await readFile(r.body.archiveFile!, 'utf8');
    expect(text).not.toContain(canary);
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; row: Record<string, unknown> });
    expect(lines.map((l) => l.kind).sort()).toEqual([
      'job_execution',
      'step_execution',
      'step_execution',
      'task_execution',
    ]);
    const task = lines.find((l) => l.kind === 'task_execution')!.row;
    expect(task.id).toBe(e.id);
    expect(task).not.toHaveProperty('sealed_launch');
    expect(task).not.toHaveProperty('log_tail');
    expect(task.arguments).toEqual(['--db.password=******', '--url=postgres://u:******@db/x', '--mode=fast']);
    expect((task.properties as Record<string, string>)['app.hello.client-secret']).toBe('******');
    const job = lines.find((l) => l.kind === 'job_execution')!.row;
    expect(job.parameters).toContainEqual(
      expect.objectContaining({ parameter_name: 'db.password', parameter_value: '******' }),
    );
    expect(await existingIds(s.db.url, [e.id])).toEqual([]);
  });

  it('an archive that cannot be written stops the delete: nothing goes unarchived', async () => {
    const old = await seedHistory(s.db.url, { task: 'donor', count: 3, endedDaysAgo: 50 });
    await rm(archiveDir, { recursive: true });
    await writeFile(archiveDir, 'not a directory');
    const failed = await s.request('POST', '/tasks/retention/run');
    expect(failed.status).toBe(500);
    expect(await existingIds(s.db.url, old)).toEqual(old);
    await rm(archiveDir);
    const r = await s.request<Run>('POST', '/tasks/retention/run');
    expect(r.body.removed.task_execution).toBe(3);
    expect(await existingIds(s.db.url, old)).toEqual([]);
  });

  it('launches succeed while a big run deletes (batches of 500 in short transactions)', async () => {
    const old = await seedHistory(s.db.url, { task: 'busy', count: 30_000, endedDaysAgo: 90, steps: 3 });
    let done = false;
    const running = s.request<Run>('POST', '/tasks/retention/run').finally(() => {
      done = true;
    });
    const launched: number[] = [];
    let duringRun = 0;
    while (!done && launched.length < 40) {
      const e = await launch(s, { name: 'busy', arguments: ['--print=hi'] });
      launched.push(e.id);
      if (!done) duringRun++;
    }
    const r = await running;
    expect(r.status).toBe(200);
    expect(r.body.removed.task_execution).toBe(30_000);
    expect(r.body.batches).toBe(60);
    expect(duringRun).toBeGreaterThanOrEqual(3);
    for (const id of launched) expect((await finished(s, id)).status).toBe('COMPLETE');
    expect(await existingIds(s.db.url, launched)).toEqual(launched);
    expect(await existingIds(s.db.url, old.slice(0, 100))).toEqual([]);
  });

  it('runs on the leader only: another replica answers 409 and deletes nothing', async () => {
    const second = await startTestServer(
      {
        BATCHYARD_RETENTION_DAYS: '1',
        BATCHYARD_RETENTION_INTERVAL_SECONDS: '1',
        BATCHYARD_REGISTER_SAMPLES: 'false',
      },
      { db: s.db, keepDatabase: true, yaml: { redaction: { encryptionKey: key } } },
    );
    try {
      const r = await second.request<{ error: string }>('POST', '/tasks/retention/run');
      expect(r.status).toBe(409);
      expect(second.app.leadership.state.leading).toBe(false);
      expect(second.app.retention.leading).toBe(false);
    } finally {
      await second.close();
    }
  });
});
