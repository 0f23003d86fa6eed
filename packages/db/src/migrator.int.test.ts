import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmptyDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations, MigrationError, migrate } from './migrator.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

describe('migrator', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  it('records migrations in _prisma_migrations the way Prisma does', async () => {
    db = await createEmptyDatabase();
    const result = await migrate(db.url);
    const all = await loadMigrations();
    expect(result.applied).toEqual(all.map((m) => m.name));
    const rows = await query<{
      migration_name: string;
      checksum: string;
      applied_steps_count: number;
      finished_at: Date;
    }>(
      db.url,
      'SELECT migration_name, checksum, applied_steps_count, finished_at FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual(
      all.map((m) => [m.name, m.checksum, 1]),
    );
    expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true);
    expect((await migrate(db.url)).applied).toEqual([]);
  });

  it('migrates once when several processes start at the same moment', async () => {
    db = await createEmptyDatabase();
    const url = db.url;
    const results = await Promise.all(Array.from({ length: 5 }, () => migrate(url)));
    const appliedBy = results.filter((r) => r.applied.length > 0);
    expect(appliedBy).toHaveLength(1);
    const rows = await query<{ n: string }>(url, 'SELECT count(*) AS n FROM _prisma_migrations');
    expect(Number(rows[0]?.n)).toBe((await loadMigrations()).length);
  });

  it('refuses a migration that was edited after it was applied, and one it does not know', async () => {
    db = await createEmptyDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
    await migrate(db.url, dir);
    const [first] = await loadMigrations(dir);
    await writeFile(join(dir, first!.name, 'migration.sql'), `${first!.sql}\n-- edited\n`);
    await expect(migrate(db.url, dir)).rejects.toThrow(/modified after it was applied/);
    const empty = await mkdtemp(join(tmpdir(), 'migrations-'));
    await expect(migrate(db.url, empty)).rejects.toBeInstanceOf(MigrationError);
  });

  it('rolls a failing migration back completely so a fixed build can retry', async () => {
    db = await createEmptyDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
    await migrate(db.url, dir);
    const broken = join(dir, '29990101000000_broken');
    await cp(join(dir, (await loadMigrations(dir))[0]!.name), broken, { recursive: true });
    await writeFile(
      join(broken, 'migration.sql'),
      'CREATE TABLE later_ok (id int);\nSELECT no_such_function();',
    );
    await expect(migrate(db.url, dir)).rejects.toThrow(/29990101000000_broken failed/);
    const tables = await query<{ t: string | null }>(db.url, `SELECT to_regclass('later_ok')::text AS t`);
    expect(tables[0]?.t).toBeNull();
    await writeFile(join(broken, 'migration.sql'), 'CREATE TABLE later_ok (id int);');
    expect((await migrate(db.url, dir)).applied).toEqual(['29990101000000_broken']);
  });
});
