import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * Applies `prisma/migrations/<name>/migration.sql` in name order and records each in
 * `_prisma_migrations` exactly as Prisma Migrate does, so `prisma migrate deploy` and
 * `prisma migrate status` agree with what the server did. Prisma's schema engine cannot be
 * downloaded everywhere Batchyard runs; this keeps Prisma's layout without needing it.
 */

/** The advisory lock key Prisma Migrate itself takes, so both exclude each other. */
export const MIGRATION_LOCK_KEY = 72707369;

export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export async function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Migrates the database at `url`. Safe when several processes start at once: the advisory lock
 * serialises them and the later ones find nothing left to do.
 */
export async function migrate(url: string, dir?: string): Promise<MigrationResult> {
  const migrations = await loadMigrations(dir);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(CREATE_TABLE);
      return await applyPending(client, migrations);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

async function applyPending(client: pg.Client, migrations: Migration[]): Promise<MigrationResult> {
  const { rows } = await client.query<AppliedRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
  );
  const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      `migration ${failed.migration_name} failed earlier and was not rolled back; fix the database and mark it rolled back before migrating again`,
    );
  }
  const done = new Map(rows.filter((r) => r.finished_at !== null).map((r) => [r.migration_name, r]));
  const known = new Set(migrations.map((m) => m.name));
  const unknown = [...done.keys()].filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new MigrationError(
      `the database has migrations this build does not know (${unknown.join(', ')}): is an older server running against a newer database?`,
    );
  }
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  for (const m of migrations) {
    const row = done.get(m.name);
    if (row) {
      if (row.checksum !== m.checksum) {
        throw new MigrationError(`migration ${m.name} was modified after it was applied (checksum differs)`);
      }
      result.alreadyApplied.push(m.name);
      continue;
    }
    await applyOne(client, m);
    result.applied.push(m.name);
  }
  return result;
}

async function applyOne(client: pg.Client, m: Migration): Promise<void> {
  const id = randomUUID();
  await client.query(
    'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())',
    [id, m.checksum, m.name],
  );
  // One transaction per migration: a failure leaves no half-applied schema behind, and the
  // row is removed again so a fixed build can retry (Prisma would demand manual resolution).
  try {
    await client.query('BEGIN');
    await client.query(m.sql);
    await client.query(
      'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
      [id],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    await client.query('DELETE FROM "_prisma_migrations" WHERE id = $1', [id]);
    throw new MigrationError(`migration ${m.name} failed: ${(err as Error).message}`);
  }
}

/** Names of migrations not yet applied (for readiness checks). */
export async function pendingMigrations(client: pg.ClientBase, dir?: string): Promise<string[]> {
  const migrations = await loadMigrations(dir);
  const exists = await client.query<{ t: string | null }>(`SELECT to_regclass('"_prisma_migrations"') AS t`);
  if (!exists.rows[0]?.t) return migrations.map((m) => m.name);
  const { rows } = await client.query<{ migration_name: string }>(
    'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL',
  );
  const done = new Set(rows.map((r) => r.migration_name));
  return migrations.filter((m) => !done.has(m.name)).map((m) => m.name);
}
