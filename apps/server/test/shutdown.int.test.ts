import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServerProcess } from '../../../test/e2e/launch/server.js';
import { createTestDatabase } from '../../../test/setup/database.js';

describe('batchyard server process', () => {
  it('shuts down gracefully on SIGTERM: finishes, closes the database, exits 0', async () => {
    const db = await createTestDatabase();
    try {
      const server = await startServerProcess({ DATABASE_URL: db.url, BATCHYARD_REGISTER_SAMPLES: 'false' });
      expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
      const exited = new Promise<number | null>((resolve) =>
        server.process.once('exit', (code) => resolve(code)),
      );
      server.process.kill('SIGTERM');
      expect(await exited).toBe(0);
      await expect(fetch(`${server.url}/health/live`)).rejects.toThrow();
    } finally {
      await db.drop();
    }
  });

  it('with the embedded database: SIGTERM stops the server and then its PostgreSQL, and exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'batchyard-shutdown-'));
    await chmod(dir, 0o755);
    try {
      const server = await startServerProcess({
        BATCHYARD_EMBEDDED_DB_DIR: join(dir, 'pg'),
        BATCHYARD_REGISTER_SAMPLES: 'false',
      });
      expect(existsSync(join(dir, 'pg', 'postmaster.pid'))).toBe(true);
      const exited = new Promise<number | null>((resolve) =>
        server.process.once('exit', (code) => resolve(code)),
      );
      server.process.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(join(dir, 'pg', 'postmaster.pid'))).toBe(false); // PostgreSQL shut down cleanly
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start on a bad configuration value, naming the key', async () => {
    await expect(startServerProcess({ BATCHYARD_PORT: 'not-a-port' })).rejects.toThrow(/exited with 2/);
  });
});
