import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, launch, localPlatformEnv, registerScripted, SCRIPT } from './composed-support.js';
import { startTestServer, type TestServer } from './harness.js';

// A composed task's parent is Batchyard's own run (SCDF's composed task runner, in-process): its
// Spring Cloud Task TASK_EXECUTION row gets START_TIME at launch and END_TIME, EXIT_CODE and
// EXIT_MESSAGE when the graph ends, read here with the SQL Spring Cloud Task's own DAO uses.

interface SpringRow {
  start_time: Date | null;
  end_time: Date | null;
  task_name: string | null;
  exit_code: number | null;
  exit_message: string | null;
  error_message: string | null;
  parent_execution_id: string | null;
}

describe("a composed parent's TASK_EXECUTION row", () => {
  let s: TestServer;
  let pool: pg.Pool;
  const row = async (id: number) =>
    (
      await pool.query<SpringRow>(
        `SELECT START_TIME, END_TIME, TASK_NAME, EXIT_CODE, EXIT_MESSAGE, ERROR_MESSAGE, PARENT_EXECUTION_ID
           FROM TASK_EXECUTION WHERE TASK_EXECUTION_ID = $1`,
        [id],
      )
    ).rows[0]!;

  beforeAll(async () => {
    s = await startTestServer(await localPlatformEnv());
    pool = new pg.Pool({ connectionString: s.db.url, max: 2 });
    await registerScripted(s, ['a', 'b']);
    await s.request('POST', '/apps/task/boom/1.0', {
      uri: 'local:boom',
      command: ['node', SCRIPT, '--exit=3'],
    });
    for (const [name, definition] of [
      ['pair', 'a && b'],
      ['broken', 'a && boom'],
    ]) {
      const r = await s.request('POST', '/tasks/definitions', { name, definition });
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    }
  });
  afterAll(async () => {
    await pool.end();
    await s.close();
  });

  it('is ended with exit code 0 when the graph completes, after its children', async () => {
    const parent = await launch(s, { name: 'pair' });
    const done = await finished(s, parent.id);
    expect(done.status).toBe('COMPLETE');
    const spring = await row(parent.id);
    expect(spring).toMatchObject({
      task_name: 'pair',
      exit_code: 0,
      error_message: null,
      parent_execution_id: null,
    });
    expect(spring.start_time).not.toBeNull();
    expect(spring.end_time).not.toBeNull();
    expect(spring.end_time!.getTime()).toBeGreaterThanOrEqual(spring.start_time!.getTime());
    expect(spring.exit_message).toBe(done.exitMessage);
    const children = await pool.query<{ end_time: Date | null }>(
      'SELECT END_TIME FROM TASK_EXECUTION WHERE PARENT_EXECUTION_ID = $1',
      [parent.id],
    );
    expect(children.rows).toHaveLength(2);
  });

  it('is ended with a non-zero exit code and the reason when the graph fails', async () => {
    const parent = await launch(s, { name: 'broken' });
    const done = await finished(s, parent.id);
    expect(done.status).toBe('FAILED');
    const spring = await row(parent.id);
    expect(spring.exit_code).toBe(1);
    expect(spring.end_time).not.toBeNull();
    expect(spring.exit_message).toBe(done.exitMessage);
    expect(spring.error_message).toBe(done.exitMessage);
    expect(spring.exit_message).toMatch(/boom/);
  });
});
