import pg from 'pg';
import type { EmbeddedCredentials } from './credentials.js';

/**
 * Roles of the embedded cluster, all done as the superuser over loopback TCP: the application
 * role (LOGIN, no SUPERUSER/CREATEDB/CREATEROLE/REPLICATION/BYPASSRLS), its database, and the
 * ownership of everything in that database's `public` schema. Every statement is idempotent, so
 * the same steps create a new cluster's role and adopt an old cluster whose tables the
 * superuser owns.
 */

export interface Endpoint {
  port: number;
}

const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const literal = (value: string): string => `'${value.replaceAll("'", "''")}'`;

export async function withClient<T>(
  endpoint: Endpoint,
  user: { name: string; password: string },
  database: string,
  fn: (c: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: endpoint.port,
    user: user.name,
    password: user.password,
    database,
  });
  client.on('error', () => undefined); // a server shutting down mid-session; the query rejects anyway
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const AUTH_FAILED = '28P01';

/**
 * A statement carrying a password, with this session's statement logging off (superuser only), so
 * the password never reaches the server log — which the server forwards to its own log — even with
 * `log_statement = all` or when the statement fails.
 */
async function withPassword(c: pg.Client, sql: string): Promise<void> {
  await c.query("SET log_statement = 'none'");
  await c.query("SET log_min_error_statement = 'panic'");
  await c.query('SET log_min_duration_statement = -1');
  await c.query(sql);
}

/**
 * A cluster being moved off the fixed legacy password: sets the superuser's new password,
 * connecting with the legacy one when the new one is not yet in place. True when the password
 * was changed (the caller then drops `legacySuperuserPassword` from the file).
 */
export async function rotateLegacySuperuser(
  endpoint: Endpoint,
  credentials: EmbeddedCredentials,
): Promise<boolean> {
  const legacy = credentials.legacySuperuserPassword;
  if (legacy === undefined) return false;
  try {
    await withClient(endpoint, credentials.superuser, 'postgres', async () => undefined);
    return true; // an earlier start already set it and crashed before rewriting the file
  } catch (err) {
    if ((err as { code?: string }).code !== AUTH_FAILED) throw err;
  }
  await withClient(endpoint, { name: credentials.superuser.name, password: legacy }, 'postgres', (c) =>
    withPassword(
      c,
      `ALTER ROLE ${ident(credentials.superuser.name)} PASSWORD ${literal(credentials.superuser.password)}`,
    ),
  );
  return true;
}

/** Creates (or corrects) the application role and its database, owned by it. */
export async function ensureAppDatabase(
  endpoint: Endpoint,
  credentials: EmbeddedCredentials,
  database: string,
): Promise<void> {
  const role = ident(credentials.app.name);
  const attributes = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';
  await withClient(endpoint, credentials.superuser, 'postgres', async (c) => {
    const exists = await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [credentials.app.name]);
    const verb = exists.rowCount === 0 ? 'CREATE' : 'ALTER';
    await withPassword(c, `${verb} ROLE ${role} ${attributes} PASSWORD ${literal(credentials.app.password)}`);
    const db = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (db.rowCount === 0) await c.query(`CREATE DATABASE ${ident(database)} OWNER ${role}`);
    else await c.query(`ALTER DATABASE ${ident(database)} OWNER TO ${role}`);
    // The application role may connect to its own database only.
    await c.query(`REVOKE CONNECT, TEMPORARY ON DATABASE postgres, template1 FROM PUBLIC`);
    await c.query(`REVOKE ALL ON DATABASE ${ident(database)} FROM PUBLIC`);
  });
  await handOverSchema(endpoint, credentials, database);
}

/**
 * Gives the application role every object of `public` in its database that it does not own yet:
 * what migrations run as the superuser created, and what an old cluster's superuser owns.
 * Tables first (their owned sequences and indexes follow), then free-standing sequences,
 * types and routines.
 */
export async function handOverSchema(
  endpoint: Endpoint,
  credentials: EmbeddedCredentials,
  database: string,
): Promise<void> {
  const role = ident(credentials.app.name);
  await withClient(endpoint, credentials.superuser, database, async (c) => {
    await c.query(`ALTER SCHEMA public OWNER TO ${role}`);
    await c.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    const owned = `pg_get_userbyid(%s) <> ${literal(credentials.app.name)}`;
    // Members of an extension (pg_trgm's functions) belong to the extension, not to the schema's owner.
    const notExtension = (oid: string): string =>
      `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = ${oid} AND d.deptype = 'e')`;
    const relations = await c.query<{ kind: string; name: string }>(
      `SELECT c.relkind AS kind, c.relname AS name FROM pg_class c
         JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r','p','v','m','f','S')
          AND ${owned.replace('%s', 'c.relowner')} AND ${notExtension('c.oid')}
        ORDER BY c.relkind = 'S', c.relname`,
    );
    for (const r of relations.rows) {
      if (r.kind === 'S') {
        // A sequence owned by a table column moved with its table above.
        const still = await c.query(
          `SELECT 1 FROM pg_class WHERE relname = $1 AND relnamespace = 'public'::regnamespace AND ${owned.replace('%s', 'relowner')}`,
          [r.name],
        );
        if (still.rowCount === 0) continue;
      }
      const what = {
        r: 'TABLE',
        p: 'TABLE',
        v: 'VIEW',
        m: 'MATERIALIZED VIEW',
        f: 'FOREIGN TABLE',
        S: 'SEQUENCE',
      }[r.kind];
      await c.query(`ALTER ${what} public.${ident(r.name)} OWNER TO ${role}`);
    }
    const types = await c.query<{ name: string }>(
      `SELECT t.typname AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' AND t.typtype IN ('e','d','r','m')
          AND ${owned.replace('%s', 't.typowner')} AND ${notExtension('t.oid')}`,
    );
    for (const t of types.rows) await c.query(`ALTER TYPE public.${ident(t.name)} OWNER TO ${role}`);
    const routines = await c.query<{ signature: string }>(
      `SELECT p.oid::regprocedure::text AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND ${owned.replace('%s', 'p.proowner')} AND ${notExtension('p.oid')}`,
    );
    for (const p of routines.rows) await c.query(`ALTER ROUTINE ${p.signature} OWNER TO ${role}`);
  });
}
