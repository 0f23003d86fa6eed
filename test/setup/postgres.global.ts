import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type RunningPostgres, startEmbeddedPostgres } from '../../packages/db/src/embedded.js';
import { migrate } from '../../packages/db/src/migrator.js';

/**
 * One real PostgreSQL per test run (embedded, in a temporary directory), or the server named by
 * BATCHYARD_TEST_DATABASE_URL. A template database is migrated once; each test file clones it
 * (CREATE DATABASE … TEMPLATE), which takes milliseconds — no mocked database anywhere.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    postgresTemplate: string;
  }
}

export const TEMPLATE = 'batchyard_template';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let running: RunningPostgres | undefined;
  let dir: string | undefined;
  let adminUrl = process.env.BATCHYARD_TEST_DATABASE_URL;
  if (!adminUrl) {
    dir = await mkdtemp(join(tmpdir(), 'batchyard-test-pg-'));
    // mkdtemp makes it 0700; as root, PostgreSQL runs as `postgres` and must traverse it.
    await chmod(dir, 0o755);
    // A password that appears nowhere else, so tests can prove it never leaks into manifests or logs.
    const password = `pw-${(await import('node:crypto')).randomBytes(8).toString('hex')}`;
    running = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), password });
    adminUrl = running.url('postgres');
  }
  const pg = (await import('pg')).default;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE}`);
  await admin.end();
  await migrate(withDatabase(adminUrl, TEMPLATE));
  project.provide('postgresAdminUrl', adminUrl);
  project.provide('postgresTemplate', TEMPLATE);
  return async () => {
    await running?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
