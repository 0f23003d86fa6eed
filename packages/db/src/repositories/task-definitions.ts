import { Prisma, type TaskDefinition, type TaskDefinitionRevision } from '../generated/prisma/client.js';
import type { Db } from './db.js';

export type { TaskDefinition, TaskDefinitionRevision } from '../generated/prisma/client.js';

export interface DefinitionFilter {
  search?: string;
  dslText?: string;
  description?: string;
  parentName?: string;
}

function where(f: DefinitionFilter): Prisma.TaskDefinitionWhereInput {
  // `contains` + insensitive becomes ILIKE '%…%', which the pg_trgm GIN indexes serve.
  return {
    ...(f.search ? { name: { contains: f.search, mode: 'insensitive' } } : {}),
    ...(f.dslText ? { dslText: { contains: f.dslText, mode: 'insensitive' } } : {}),
    ...(f.description ? { description: { contains: f.description, mode: 'insensitive' } } : {}),
    ...(f.parentName ? { parentName: f.parentName } : {}),
  };
}

export async function listDefinitions(
  db: Db,
  filter: DefinitionFilter,
  size: number,
  afterName?: string,
): Promise<TaskDefinition[]> {
  return db.taskDefinition.findMany({
    where: { ...where(filter), ...(afterName !== undefined ? { name: { gt: afterName } } : {}) },
    orderBy: { name: 'asc' },
    take: size,
  });
}

export const countDefinitions = (db: Db, filter: DefinitionFilter): Promise<number> =>
  db.taskDefinition.count({ where: where(filter) });

export const findDefinition = (db: Db, name: string) => db.taskDefinition.findUnique({ where: { name } });

export interface NewDefinition {
  name: string;
  dslText: string;
  description?: string | null;
  composed: boolean;
  parentName?: string | null;
}

export const insertDefinition = (db: Db, d: NewDefinition): Promise<TaskDefinition> =>
  db.taskDefinition.create({
    data: {
      name: d.name,
      dslText: d.dslText,
      description: d.description ?? null,
      composed: d.composed,
      parentName: d.parentName ?? null,
    },
  });

/**
 * Replaces the DSL, keeping the previous version as a revision. `expectedVersion` guards
 * against a concurrent edit (optimistic locking): no row updated means someone else won.
 */
export async function updateDefinition(
  db: Db,
  current: TaskDefinition,
  change: { dslText: string; description: string | null; composed: boolean },
): Promise<TaskDefinition | undefined> {
  const { count } = await db.taskDefinition.updateMany({
    where: { id: current.id, version: current.version },
    data: { ...change, version: current.version + 1 },
  });
  if (count === 0) return undefined;
  await db.taskDefinitionRevision.create({
    data: {
      definitionId: current.id,
      version: current.version,
      dslText: current.dslText,
      description: current.description,
      createdAt: current.updatedAt,
    },
  });
  return (await db.taskDefinition.findUnique({ where: { id: current.id } })) ?? undefined;
}

export const definitionRevisions = (db: Db, definitionId: number): Promise<TaskDefinitionRevision[]> =>
  db.taskDefinitionRevision.findMany({ where: { definitionId }, orderBy: { version: 'desc' } });

export async function deleteDefinitions(db: Db, names: string[]): Promise<number> {
  const { count } = await db.taskDefinition.deleteMany({ where: { name: { in: names } } });
  return count;
}

/**
 * Locks definition rows until the transaction ends and returns the names found: `update` before
 * deleting them, `share` to depend on them existing (a schedule being created). A schedule create
 * and a definition delete therefore serialise, so no schedule outlives its definition.
 * `names` undefined locks every definition.
 */
export async function lockDefinitions(
  tx: Prisma.TransactionClient,
  names: string[] | undefined,
  mode: 'update' | 'share',
): Promise<string[]> {
  const lock = mode === 'update' ? Prisma.sql`FOR UPDATE` : Prisma.sql`FOR SHARE`;
  const filter = names === undefined ? Prisma.empty : Prisma.sql`WHERE name = ANY(${names}::text[])`;
  const rows = await tx.$queryRaw<{ name: string }[]>`
    SELECT name FROM task_definition ${filter} ORDER BY name ${lock}`;
  return rows.map((r) => r.name);
}

export async function deleteAllDefinitions(db: Db): Promise<number> {
  const { count } = await db.taskDefinition.deleteMany({});
  return count;
}

/** Definitions whose DSL mentions an app (to refuse unregistering an app in use). */
export async function definitionsUsingApp(db: Db, appName: string, limit = 10): Promise<string[]> {
  const rows = await db.taskDefinition.findMany({
    where: { dslText: { contains: appName } },
    select: { name: true, dslText: true },
    take: 200,
  });
  const word = new RegExp(`(^|[\\s&|<(:])${appName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[\\s&|>)])`);
  return rows
    .filter((r) => word.test(r.dslText))
    .map((r) => r.name)
    .slice(0, limit);
}
