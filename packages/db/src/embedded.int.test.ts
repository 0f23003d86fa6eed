import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { credentialsPath } from './embedded/credentials.js';
import { initialiseCluster } from './embedded/initdb.js';
import { EmbeddedPostgresError, readCredentials, startEmbeddedPostgres } from './embedded.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

const withUser = (url: string, user: string, password: string, database = 'postgres'): string => {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  u.pathname = `/${database}`;
  return u.toString();
};

describe('embedded PostgreSQL', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'batchyard-embedded-'));
    await chmod(dir, 0o755); // as root, PostgreSQL runs as `postgres` and must traverse it
    dirs.push(dir);
    return join(dir, 'data');
  }

  it('keeps data across restarts and refuses a second server on the same directory', async () => {
    const dataDir = await tempDir();
    const first = await startEmbeddedPostgres({ dataDir });
    const appUrl = await first.appDatabase('batchyard');
    await query(appUrl, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')");

    await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(EmbeddedPostgresError);
    await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(/in use by another process/);
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir });
    try {
      expect(second.port).not.toBe(0);
      const again = await second.appDatabase('batchyard'); // already there: adopted, same role
      expect(await query(again, 'SELECT v FROM kept')).toEqual([{ v: 'survives' }]);
    } finally {
      await second.stop();
    }
  });

  it('generates a random superuser password kept 0600 in the data directory; the application role is no superuser', async () => {
    const dataDir = await tempDir();
    const running = await startEmbeddedPostgres({ dataDir });
    try {
      const file = await stat(credentialsPath(dataDir));
      expect(file.mode & 0o777).toBe(0o600);
      expect(file.uid).toBe(userInfo().uid);
      const credentials = await readCredentials(dataDir);
      expect(credentials?.superuser.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(credentials?.superuser.password).not.toBe('batchyard');
      expect(credentials?.app.password).not.toBe(credentials?.superuser.password);
      expect(running.url()).toContain(encodeURIComponent(credentials?.superuser.password ?? '?'));

      // The fixed credentials of earlier versions open nothing.
      await expect(query(withUser(running.url(), 'batchyard', 'batchyard'), 'SELECT 1')).rejects.toThrow(
        /password authentication failed/,
      );

      const appUrl = await running.appDatabase('batchyard');
      const [role] = await query<{
        current_user: string;
        rolsuper: boolean;
        rolcreatedb: boolean;
        rolcreaterole: boolean;
      }>(
        appUrl,
        'SELECT current_user, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user',
      );
      expect(role).toEqual({
        current_user: 'batchyard_app',
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
      });
      // It owns its database and nothing else: other databases refuse it.
      const [db] = await query<{ owner: string }>(
        appUrl,
        "SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = 'batchyard'",
      );
      expect(db?.owner).toBe('batchyard_app');
      const appPassword = credentials?.app.password ?? '';
      await expect(
        query(withUser(appUrl, 'batchyard_app', appPassword, 'postgres'), 'SELECT 1'),
      ).rejects.toThrow(/permission denied for database "postgres"/);
      await expect(query(appUrl, 'CREATE DATABASE other')).rejects.toThrow(/permission denied/);

      // Migrations run as the superuser; handOver gives what they made to the application role.
      await query(
        running.url('batchyard'),
        "CREATE TYPE colour AS ENUM ('red'); CREATE TABLE made_by_migration (id serial PRIMARY KEY, c colour)",
      );
      await running.handOver('batchyard');
      await query(
        appUrl,
        "INSERT INTO made_by_migration (c) VALUES ('red'); ALTER TABLE made_by_migration ADD COLUMN x int",
      );
      const owners = await query<{ relname: string; owner: string }>(
        appUrl,
        `SELECT relname, pg_get_userbyid(relowner) AS owner FROM pg_class
          WHERE relnamespace = 'public'::regnamespace ORDER BY relname`,
      );
      expect(owners.map((o) => o.owner)).toEqual(owners.map(() => 'batchyard_app'));
      expect(owners.map((o) => o.relname)).toContain('made_by_migration_id_seq');
    } finally {
      await running.stop();
    }
  });

  it('moves a cluster made with the old fixed batchyard/batchyard superuser to random passwords, keeping its data', async () => {
    const dataDir = await tempDir();
    // A cluster exactly as earlier versions made it: superuser batchyard/batchyard, tables it owns.
    const legacy = { name: 'batchyard', password: 'batchyard' };
    await initialiseCluster(
      dataDir,
      { superuser: legacy, app: { name: 'unused', password: 'x' } },
      () => undefined,
    );
    const old = await startEmbeddedPostgres({ dataDir });
    await old.createDatabase('batchyard');
    await query(
      old.url('batchyard'),
      "CREATE TABLE kept (id serial PRIMARY KEY, v text); INSERT INTO kept (v) VALUES ('old')",
    );
    await old.stop();
    await rm(credentialsPath(dataDir));

    const migrated = await startEmbeddedPostgres({ dataDir });
    try {
      const credentials = await readCredentials(dataDir);
      expect(credentials?.superuser.name).toBe('batchyard');
      expect(credentials?.superuser.password).not.toBe('batchyard');
      expect(credentials?.legacySuperuserPassword).toBeUndefined();
      await expect(query(withUser(migrated.url(), 'batchyard', 'batchyard'), 'SELECT 1')).rejects.toThrow(
        /password authentication failed/,
      );
      const appUrl = await migrated.appDatabase('batchyard');
      expect(await query(appUrl, 'SELECT v FROM kept')).toEqual([{ v: 'old' }]);
      await query(appUrl, "INSERT INTO kept (v) VALUES ('new')"); // owns the table and its sequence now
      const [{ super: isSuper } = { super: true }] = await query<{ super: boolean }>(
        appUrl,
        'SELECT rolsuper AS super FROM pg_roles WHERE rolname = current_user',
      );
      expect(isSuper).toBe(false);
    } finally {
      await migrated.stop();
    }
    // And it starts again from its new credentials file.
    const again = await startEmbeddedPostgres({ dataDir });
    await again.stop();
  });

  it('reports a PostgreSQL killed under it and starts it again without losing committed data', async () => {
    const dataDir = await tempDir();
    const running = await startEmbeddedPostgres({ dataDir });
    try {
      const appUrl = await running.appDatabase('batchyard');
      await query(appUrl, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('committed')");
      const exited = new Promise<string>((done) => running.onUnexpectedExit(done));
      const pid = Number.parseInt(
        execFileSync('head', ['-1', join(dataDir, 'postmaster.pid')]).toString(),
        10,
      );
      process.kill(pid, 'SIGKILL');
      expect(await exited).toMatch(/SIGKILL/);
      expect(running.isRunning()).toBe(false);
      // Its backends may outlive it for a moment (shared memory still attached): retry as the server does.
      for (let attempt = 1; ; attempt++) {
        try {
          await running.restart();
          break;
        } catch (err) {
          if (attempt >= 20) throw err;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      expect(running.isRunning()).toBe(true);
      expect(await query(appUrl, 'SELECT v FROM kept')).toEqual([{ v: 'committed' }]);
    } finally {
      await running.stop();
    }
  });

  it('never lets a password reach the PostgreSQL log the server forwards, even with log_statement = all', async () => {
    const dataDir = await tempDir();
    const lines: string[] = [];
    const running = await startEmbeddedPostgres({ dataDir, onLog: (l) => lines.push(l) });
    try {
      await query(running.url(), "ALTER SYSTEM SET log_statement = 'all'");
      await query(running.url(), 'SELECT pg_reload_conf()');
      await query(running.url(), "SELECT 'statement logging is on'");
      await running.appDatabase('batchyard'); // sets the application role's password again
      await query(running.url(), "SELECT 'after the password'");
      const log = lines.join('');
      expect(log).toContain('after the password'); // the log is captured and statements are in it
      const credentials = await readCredentials(dataDir);
      expect(log).not.toContain(credentials?.app.password ?? '?');
      expect(log).not.toContain(credentials?.superuser.password ?? '?');
    } finally {
      await running.stop();
    }
  });
});
