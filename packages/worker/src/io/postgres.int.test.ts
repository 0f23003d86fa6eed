import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/setup/database.js';
import {
  chunkStep,
  csvReader,
  FlatFileParseError,
  iterableReader,
  job,
  launchJob,
  PostgresJobRepository,
  parameters,
  partitionStep,
  pgKeysetReader,
  pgWriter,
} from '../index.js';

let db: TestDatabase;
let repo: PostgresJobRepository;

beforeAll(async () => {
  db = await createTestDatabase();
  repo = PostgresJobRepository.fromUrl(db.url);
  await repo.pool.query('CREATE TABLE src (id INT PRIMARY KEY, v INT NOT NULL)');
  await repo.pool.query('INSERT INTO src SELECT g, g * 10 FROM generate_series(1, 95) g');
  await repo.pool.query('CREATE TABLE dst (id INT PRIMARY KEY, v INT NOT NULL CHECK (v <> 330))');
});
afterAll(async () => {
  await repo.close();
  await db.drop();
});

interface Rec {
  id: number;
  v: number;
}

const dst = () => pgWriter<Rec>({ table: 'dst', columns: ['id', 'v'], toRow: (r) => [r.id, r.v] });

describe('Postgres reader and writer in the chunk transaction', () => {
  it('keyset reader → batch insert; a constraint violation is isolated by scan with savepoints', async () => {
    const j = job('copy')
      .start(
        chunkStep<Rec, Rec>('copy', {
          reader: pgKeysetReader<Rec>({
            db: repo.pool,
            select: 'SELECT id, v FROM src',
            key: 'id',
            pageSize: 7,
          }),
          writer: dst(),
          chunkSize: 10,
          faultTolerance: { skip: [(e) => (e as { code?: string }).code === '23514'], skipLimit: 1 },
        }),
      )
      .build();
    const ex = await launchJob(j, parameters({ run: 1 }), { repository: repo });
    expect(ex.status).toBe('COMPLETED');
    const n = (await repo.pool.query('SELECT count(*)::int AS n FROM dst')).rows[0].n;
    expect(n).toBe(94);
    const step = (
      await repo.pool.query(
        `SELECT read_count::int, write_count::int, commit_count::int, rollback_count::int, read_skip_count::int,
              write_skip_count::int, process_skip_count::int, filter_count::int
         FROM batch_step_execution WHERE job_execution_id = $1`,
        [ex.id],
      )
    ).rows[0];
    expect(step).toMatchObject({
      read_count: 95,
      write_count: 94,
      write_skip_count: 1,
      rollback_count: 2,
      commit_count: 10,
    });
  });

  it('the skip example on Postgres: chunk 2, 6 lines, 2 unparsable, 1 unwritable', async () => {
    await repo.pool.query('TRUNCATE dst');
    const dir = await mkdtemp(join(tmpdir(), 'skip-'));
    const path = join(dir, 'in.csv');
    // v = 330 violates dst's CHECK: the unwritable line.
    await writeFile(path, 'id,v\n1,10\n2,20\nx,bad\ny,bad\n3,30\n4,330\n');
    const j = job('skips')
      .start(
        chunkStep<Rec, Rec>('s', {
          reader: csvReader({
            path,
            map: (r) => {
              if (!/^\d+$/.test(r.id ?? '')) throw new Error('not a number');
              return { id: Number(r.id), v: Number(r.v) };
            },
          }),
          writer: dst(),
          chunkSize: 2,
          faultTolerance: {
            skip: [FlatFileParseError, (e) => (e as { code?: string }).code === '23514'],
            skipLimit: 3,
          },
        }),
      )
      .build();
    const ex = await launchJob(j, parameters({ run: 1 }), { repository: repo });
    expect(ex.status).toBe('COMPLETED');
    const step = (
      await repo.pool.query(
        `SELECT read_count::int, write_count::int, commit_count::int, rollback_count::int, read_skip_count::int,
              write_skip_count::int, process_skip_count::int, filter_count::int
         FROM batch_step_execution WHERE job_execution_id = $1`,
        [ex.id],
      )
    ).rows[0];
    expect(step).toMatchObject({
      read_count: 4,
      write_count: 3,
      commit_count: 2,
      rollback_count: 2,
      read_skip_count: 2,
      write_skip_count: 1,
      process_skip_count: 0,
      filter_count: 0,
    });
    expect((await repo.pool.query('SELECT id FROM dst ORDER BY id')).rows.map((r) => r.id)).toEqual([
      1, 2, 3,
    ]);
    await rm(dir, { recursive: true, force: true });
  });

  it('a chunk whose step row was changed by someone else does not commit (optimistic lock)', async () => {
    await repo.pool.query('TRUNCATE dst');
    const j = job('locked')
      .start(
        chunkStep<number, Rec>('s', {
          reader: iterableReader([1, 2, 3, 4, 5, 6]),
          processor: { process: (n) => ({ id: n, v: n }) },
          writer: {
            write: async (items, ctx) => {
              await dst().write(items, ctx);
              if (items.some((r) => r.id === 3)) {
                await repo.pool.query(
                  'UPDATE batch_step_execution SET version = version + 1 WHERE step_execution_id = $1',
                  [ctx.stepExecution.id],
                );
              }
            },
          },
          chunkSize: 2,
        }),
      )
      .build();
    const ex = await launchJob(j, parameters({ run: 1 }), { repository: repo });
    expect(ex.status).toBe('FAILED');
    expect(ex.exitStatus.description).toContain('OptimisticLockingError');
    expect((await repo.pool.query('SELECT id FROM dst ORDER BY id')).rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it('retries a write whose statement failed inside the chunk transaction (savepoint)', async () => {
    await repo.pool.query('TRUNCATE dst');
    let failures = 1;
    const inner = dst();
    const j = job('retry')
      .start(
        chunkStep<number, Rec>('s', {
          reader: iterableReader([1, 2, 3, 4]),
          processor: { process: (n) => ({ id: n, v: n }) },
          writer: {
            write: async (items, ctx) => {
              await inner.write(items, ctx);
              // A real SQL error after a successful INSERT: the savepoint must undo both.
              if (failures-- > 0) await ctx.tx!.query('SELECT 1/0');
            },
          },
          chunkSize: 4,
          faultTolerance: { retry: [(e) => (e as { code?: string }).code === '22012'], retryLimit: 2 },
        }),
      )
      .build();
    const ex = await launchJob(j, parameters({ run: 1 }), { repository: repo });
    expect(ex.status).toBe('COMPLETED');
    expect((await repo.pool.query('SELECT count(*)::int AS n FROM dst')).rows[0].n).toBe(4);
  });

  it('a failed chunk leaves neither rows nor metadata; restart resumes after the last committed key', async () => {
    await repo.pool.query('TRUNCATE dst');
    let failAt: number | undefined = 57;
    const j = job('copy2')
      .start(
        chunkStep<Rec, Rec>('copy', {
          reader: pgKeysetReader<Rec>({
            db: repo.pool,
            select: 'SELECT id, v FROM src',
            key: 'id',
            where: 'id > $1',
            params: [0],
          }),
          processor: {
            process: (r) => {
              if (r.id === failAt) throw new Error('crash');
              return { id: r.id, v: r.v + 1 };
            },
          },
          writer: dst(),
          chunkSize: 10,
        }),
      )
      .build();
    const first = await launchJob(j, parameters({ run: 1 }), { repository: repo });
    expect(first.status).toBe('FAILED');
    expect((await repo.pool.query('SELECT count(*)::int AS n FROM dst')).rows[0].n).toBe(50);
    const ctx = (
      await repo.pool.query(
        `SELECT c.short_context FROM batch_step_execution_context c
           JOIN batch_step_execution s ON s.step_execution_id = c.step_execution_id WHERE s.job_execution_id = $1`,
        [first.id],
      )
    ).rows[0].short_context;
    expect(JSON.parse(ctx)).toEqual({ '@class': 'java.util.HashMap', 'pgKeysetReader.lastKey': 50 });
    failAt = undefined;
    const second = await launchJob(j, parameters({ run: 1 }), { repository: repo });
    expect(second.status).toBe('COMPLETED');
    expect((await repo.pool.query('SELECT count(*)::int AS n, sum(v)::int AS s FROM dst')).rows[0]).toEqual({
      n: 95,
      s: (95 * 96 * 10) / 2 + 95,
    });
  });

  it('stops when the control plane sets the job execution to STOPPING', async () => {
    await repo.pool.query('TRUNCATE dst');
    let id = 0;
    const j = job('stop')
      .start(
        chunkStep<number, Rec>('s', {
          reader: iterableReader(Array.from({ length: 100 }, (_, i) => i + 1)),
          processor: {
            process: async (n) => {
              if (n === 25)
                await repo.pool.query(
                  `UPDATE batch_job_execution SET status = 'STOPPING' WHERE job_execution_id = $1`,
                  [id],
                );
              return { id: n, v: n };
            },
          },
          writer: dst(),
          chunkSize: 10,
        }),
      )
      .build();
    const ex = await launchJob(j, parameters({ run: 1 }), {
      repository: repo,
      onCreated: async (e) => {
        id = e.id;
      },
    });
    expect(ex.status).toBe('STOPPED');
    const row = (
      await repo.pool.query('SELECT status, exit_code FROM batch_job_execution WHERE job_execution_id = $1', [
        ex.id,
      ])
    ).rows[0];
    expect(row).toEqual({ status: 'STOPPED', exit_code: 'STOPPED' });
    expect((await repo.pool.query('SELECT count(*)::int AS n FROM dst')).rows[0].n).toBe(30);
  });

  it('partitions run concurrently on the pool; a restart re-runs only the failed partition', async () => {
    await repo.pool.query('TRUNCATE dst');
    const j = job('part')
      .start(
        partitionStep('copy', {
          gridSize: 4,
          partitioner: (n) =>
            Object.fromEntries(
              Array.from({ length: n }, (_, i) => [`p${i}`, { lo: i * 25, hi: i * 25 + 25 }]),
            ),
          worker: (ctx) =>
            chunkStep<Rec, Rec>('copy', {
              reader: pgKeysetReader<Rec>({
                db: repo.pool,
                select: 'SELECT id, v FROM src',
                key: 'id',
                where: 'id > $1 AND id <= $2',
                params: [ctx.getNumber('lo'), ctx.getNumber('hi')],
                pageSize: 10,
              }),
              writer: dst(),
              chunkSize: 5,
            }),
        }),
      )
      .build();
    // Row 33 carries v = 330, which the CHECK refuses: its partition (p1) fails, the others commit.
    const first = await launchJob(j, parameters({ run: 1 }), { repository: repo });
    expect(first.status).toBe('FAILED');
    expect(
      first.stepExecutions
        .filter((s) => s.status === 'FAILED')
        .map((s) => s.stepName)
        .sort(),
    ).toEqual(['copy', 'copy:p1']);
    expect((await repo.pool.query('SELECT count(*)::int AS n FROM dst')).rows[0].n).toBe(70 + 5); // p0, p2, p3 (25 + 25 + 20) and the first chunk of p1
    await repo.pool.query('ALTER TABLE dst DROP CONSTRAINT dst_v_check');
    const second = await launchJob(j, parameters({ run: 1 }), { repository: repo });
    expect(second.status).toBe('COMPLETED');
    expect(second.stepExecutions.map((s) => s.stepName).sort()).toEqual(['copy', 'copy:p1']);
    expect((await repo.pool.query('SELECT count(*)::int AS n FROM dst')).rows[0].n).toBe(95);
  });
});
