import type { Db } from './db.js';

/** API tokens, dashboard sessions and logins in progress. Secrets are never stored, only hashes. */

export interface ApiTokenRow {
  id: number;
  name: string;
  secretHash: string;
  roles: string[];
  createdBy: string | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

const asRoles = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((r): r is string => typeof r === 'string') : [];

function tokenRow(row: {
  id: number;
  name: string;
  secretHash: string;
  roles: unknown;
  createdBy: string | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}): ApiTokenRow {
  return { ...row, roles: asRoles(row.roles) };
}

export async function createApiToken(
  db: Db,
  data: { name: string; secretHash: string; roles: string[]; createdBy: string; expiresAt: Date | null },
): Promise<ApiTokenRow> {
  return tokenRow(await db.apiToken.create({ data }));
}

export async function findApiToken(db: Db, id: number): Promise<ApiTokenRow | undefined> {
  const row = await db.apiToken.findUnique({ where: { id } });
  return row ? tokenRow(row) : undefined;
}

export async function listApiTokens(db: Db): Promise<ApiTokenRow[]> {
  return (await db.apiToken.findMany({ orderBy: { id: 'asc' } })).map(tokenRow);
}

/** Deletes by name; false when there was none. */
export async function deleteApiToken(db: Db, name: string): Promise<boolean> {
  return (await db.apiToken.deleteMany({ where: { name } })).count > 0;
}

/** Records use at most once a minute per token, so authentication stays a read. */
export async function touchApiToken(db: Db, id: number, now: Date): Promise<void> {
  const stale = new Date(now.getTime() - 60_000);
  await db.apiToken.updateMany({
    where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: stale } }] },
    data: { lastUsedAt: now },
  });
}

export interface SessionRow {
  principal: string;
  roles: string[];
  expiresAt: Date;
}

export async function createSession(
  db: Db,
  data: { idHash: string; principal: string; roles: string[]; expiresAt: Date },
): Promise<void> {
  await db.authSession.create({ data });
}

export async function findSession(db: Db, idHash: string, now: Date): Promise<SessionRow | undefined> {
  const row = await db.authSession.findUnique({ where: { idHash } });
  if (!row || row.expiresAt <= now) return undefined;
  return { principal: row.principal, roles: asRoles(row.roles), expiresAt: row.expiresAt };
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.authSession.deleteMany({ where: { idHash } });
}

export interface LoginRow {
  codeVerifier: string;
  nonce: string;
  returnTo: string;
}

export async function createLogin(
  db: Db,
  data: { stateHash: string; codeVerifier: string; nonce: string; returnTo: string; expiresAt: Date },
): Promise<void> {
  await db.authLogin.create({ data });
}

/** Reads and deletes a login in one step, so a state is used at most once. */
export async function takeLogin(db: Db, stateHash: string, now: Date): Promise<LoginRow | undefined> {
  const rows = await db.$queryRaw<
    { code_verifier: string; nonce: string; return_to: string; expires_at: Date }[]
  >`
    DELETE FROM auth_login WHERE state_hash = ${stateHash}
    RETURNING code_verifier, nonce, return_to, expires_at`;
  const found = rows[0];
  const row = found && {
    codeVerifier: found.code_verifier,
    nonce: found.nonce,
    returnTo: found.return_to,
    expiresAt: found.expires_at,
  };
  if (!row || row.expiresAt <= now) return undefined;
  return { codeVerifier: row.codeVerifier, nonce: row.nonce, returnTo: row.returnTo };
}

/** Removes expired sessions and logins. */
export async function pruneExpired(db: Db, now: Date): Promise<number> {
  const [s, l] = await Promise.all([
    db.authSession.deleteMany({ where: { expiresAt: { lte: now } } }),
    db.authLogin.deleteMany({ where: { expiresAt: { lte: now } } }),
  ]);
  return s.count + l.count;
}
