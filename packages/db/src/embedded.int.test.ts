import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedPostgresError, startEmbeddedPostgres } from './embedded.js';

describe('embedded PostgreSQL', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('keeps data across restarts and refuses a second server on the same directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'batchyard-embedded-'));
    await chmod(dir, 0o755);
    dirs.push(dir);
    const dataDir = join(dir, 'data');

    const first = await startEmbeddedPostgres({ dataDir });
    await first.createDatabase('batchyard');
    const c1 = new pg.Client({ connectionString: first.url('batchyard') });
    await c1.connect();
    await c1.query("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')");
    await c1.end();

    await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(EmbeddedPostgresError);
    await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(/in use by another process/);
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir });
    try {
      await second.createDatabase('batchyard'); // already there: a no-op
      const c2 = new pg.Client({ connectionString: second.url('batchyard') });
      await c2.connect();
      const { rows } = await c2.query<{ v: string }>('SELECT v FROM kept');
      await c2.end();
      expect(rows).toEqual([{ v: 'survives' }]);
    } finally {
      await second.stop();
    }
  });
});
