import type { AppRegistration, AppType, Prisma } from '../generated/prisma/client.js';
import type { Db } from './db.js';

export type { AppRegistration } from '../generated/prisma/client.js';

export interface AppFilter {
  type?: AppType;
  search?: string;
  defaultOnly?: boolean;
}

export interface NewApp {
  type: AppType;
  name: string;
  version: string;
  uri: string;
  metadataUri?: string | null;
  command?: string[] | null;
  springContract?: boolean;
  isDefault: boolean;
}

function where(filter: AppFilter): Prisma.AppRegistrationWhereInput {
  return {
    ...(filter.type ? { type: filter.type } : {}),
    ...(filter.search ? { name: { contains: filter.search, mode: 'insensitive' } } : {}),
    ...(filter.defaultOnly ? { isDefault: true } : {}),
  };
}

/** Apps sorted by (name, id): a keyset the (name, id) index serves directly. */
export async function listApps(
  db: Db,
  filter: AppFilter,
  size: number,
  after?: { name: string; id: number },
): Promise<AppRegistration[]> {
  const keyset: Prisma.AppRegistrationWhereInput = after
    ? { OR: [{ name: { gt: after.name } }, { name: after.name, id: { gt: after.id } }] }
    : {};
  return db.appRegistration.findMany({
    where: { AND: [where(filter), keyset] },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    take: size,
  });
}

export const countApps = (db: Db, filter: AppFilter): Promise<number> =>
  db.appRegistration.count({ where: where(filter) });

export const findAppVersion = (db: Db, type: AppType, name: string, version: string) =>
  db.appRegistration.findUnique({ where: { type_name_version: { type, name, version } } });

export const findDefaultApp = (db: Db, type: AppType, name: string) =>
  db.appRegistration.findFirst({ where: { type, name, isDefault: true } });

export async function appVersions(db: Db, type: AppType, name: string): Promise<AppRegistration[]> {
  return db.appRegistration.findMany({ where: { type, name }, orderBy: { id: 'asc' } });
}

/** Names of the registered apps of a type among `names` (one query for a whole DSL). */
export async function existingAppNames(db: Db, type: AppType, names: string[]): Promise<Set<string>> {
  const rows = await db.appRegistration.findMany({
    where: { type, name: { in: names } },
    select: { name: true },
    distinct: ['name'],
  });
  return new Set(rows.map((r) => r.name));
}

export async function allAppNames(db: Db, type: AppType, limit = 50): Promise<string[]> {
  const rows = await db.appRegistration.findMany({
    where: { type },
    select: { name: true },
    distinct: ['name'],
    orderBy: { name: 'asc' },
    take: limit,
  });
  return rows.map((r) => r.name);
}

export async function upsertApp(db: Db, app: NewApp): Promise<AppRegistration> {
  const data = {
    uri: app.uri,
    metadataUri: app.metadataUri ?? null,
    command: app.command ?? undefined,
    springContract: app.springContract ?? true,
    isDefault: app.isDefault,
  };
  return db.appRegistration.upsert({
    where: { type_name_version: { type: app.type, name: app.name, version: app.version } },
    create: { type: app.type, name: app.name, version: app.version, ...data },
    update: data,
  });
}

export async function setDefaultVersion(db: Db, type: AppType, name: string, version: string): Promise<void> {
  await db.appRegistration.updateMany({
    where: { type, name, NOT: { version } },
    data: { isDefault: false },
  });
  await db.appRegistration.updateMany({ where: { type, name, version }, data: { isDefault: true } });
}

export async function deleteAppVersion(
  db: Db,
  type: AppType,
  name: string,
  version: string,
): Promise<number> {
  const { count } = await db.appRegistration.deleteMany({ where: { type, name, version } });
  return count;
}

export async function deleteAllApps(db: Db, type?: AppType): Promise<number> {
  const { count } = await db.appRegistration.deleteMany({ where: type ? { type } : {} });
  return count;
}
