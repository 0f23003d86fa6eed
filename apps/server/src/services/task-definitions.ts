import {
  ApiError,
  alreadyExists,
  badCursor,
  type CreateDefinitionBody,
  decodeCursor,
  definitionStatus,
  encodeCursor,
  type ListDefinitionsQuery,
  notFound,
  type Page,
  redactText,
  type TaskDefinition,
  type TaskDefinitionWithStatus,
  type UpdateDefinitionBody,
} from '@batchyard/core';
import {
  apps,
  audit,
  type Db,
  definitions,
  executions,
  listPages,
  type Prisma,
  type PrismaClient,
} from '@batchyard/db';
import { type ComposedTask, parseDefinition } from '@batchyard/dsl';
import {
  checkComposedApps,
  descendantDefinitions,
  replaceChildDefinitions,
} from '../composed/definitions.js';
import { checkNestingCycle } from '../composed/nested.js';
import { SecretSealer } from '../secrets/sealer.js';
import { dslApiError } from './dsl-errors.js';
import { toExecutionDto, toExecutionDtos } from './execution-dto.js';

type Row = definitions.TaskDefinition;

export function toDefinitionDto(row: Row): TaskDefinition {
  return {
    name: row.name,
    definition: redactText(row.dslText),
    description: row.description,
    composed: row.composed,
    parentName: row.parentName,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export interface ParsedDefinition {
  composed: boolean;
  /** App names the definition runs (one for a simple task). */
  apps: string[];
  /** The validated composed task, when composed. */
  task?: ComposedTask;
}

/**
 * Asked inside a definition delete's transaction, with the definitions locked: refuses (409) when
 * they have schedules, unless asked to delete those too. Returns the platform clean-up to run as the
 * transaction's last step (a refused call rolls everything back).
 */
export interface DefinitionScheduleGuard {
  beforeDefinitionDelete(
    tx: Prisma.TransactionClient,
    names: string[],
    deleteSchedules: boolean,
  ): Promise<() => Promise<void>>;
}

const noSchedules: DefinitionScheduleGuard = { beforeDefinitionDelete: async () => async () => {} };

/** Platform calls (a CronJob per schedule) may run inside a delete's transaction. */
const DELETE_TX_OPTIONS = { maxWait: 30_000, timeout: 120_000 };

export class TaskDefinitionService {
  constructor(
    private readonly db: PrismaClient,
    private readonly sealer: SecretSealer = SecretSealer.create({}),
  ) {}

  /** Validates the DSL as written (errors point into it), then seals its secret-looking values. */
  private async validateAndSeal(
    db: Db,
    text: string,
    name: string,
  ): Promise<{ parsed: ParsedDefinition; dslText: string }> {
    const asWritten = await this.validate(db, text, name);
    const dslText = this.sealer.sealDsl(text);
    return { parsed: dslText === text ? asWritten : await this.validate(db, dslText, name), dslText };
  }

  /** Set when schedules are registered: definitions with schedules are deleted only with them. */
  schedules: DefinitionScheduleGuard = noSchedules;

  /** Parses the DSL and checks that every app it names is registered (one query). */
  async validate(db: Db, text: string, name?: string): Promise<ParsedDefinition> {
    let parsed: ParsedDefinition;
    try {
      const def = parseDefinition(text);
      if (def.kind === 'composed') {
        // Composed: unknown apps are reported with their line and column.
        await checkComposedApps(db, def.task);
        if (name !== undefined) await checkNestingCycle(db, name, def.task);
        return { composed: true, apps: [], task: def.task };
      }
      parsed = { composed: false, apps: [def.node.app] };
    } catch (err) {
      dslApiError(err);
    }
    const known = await apps.existingAppNames(db, 'task', parsed.apps);
    const unknown = parsed.apps.filter((a) => !known.has(a));
    if (unknown.length > 0) {
      const registered = await apps.allAppNames(db, 'task');
      const hint =
        registered.length > 0
          ? `registered task apps: ${registered.join(', ')}`
          : 'no task apps are registered';
      throw new ApiError('UNKNOWN_APP', `unknown app ${unknown.map((u) => `'${u}'`).join(', ')}; ${hint}`, [
        { path: 'body.definition', message: `unknown app ${unknown.join(', ')}; ${hint}` },
      ]);
    }
    return parsed;
  }

  async create(body: CreateDefinitionBody): Promise<TaskDefinition> {
    return this.db.$transaction(async (tx) => {
      if (await definitions.findDefinition(tx, body.name)) throw alreadyExists('task definition', body.name);
      const { parsed, dslText } = await this.validateAndSeal(tx, body.definition, body.name);
      const row = await definitions.insertDefinition(tx, {
        name: body.name,
        dslText,
        description: body.description,
        composed: parsed.composed,
      });
      if (parsed.task) await replaceChildDefinitions(tx, body.name, parsed.task);
      await audit.recordAudit(tx, {
        operation: 'TASK_DEFINITION',
        action: 'CREATE',
        correlationId: body.name,
        data: { definition: dslText },
      });
      return toDefinitionDto(row);
    });
  }

  async list(query: ListDefinitionsQuery): Promise<Page<TaskDefinitionWithStatus>> {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    if (query.cursor && (!after || typeof after[0] !== 'string')) {
      throw badCursor();
    }
    const filter = { search: query.search, dslText: query.dslText, description: query.description };
    if (!filter.search && !filter.dslText && !filter.description) {
      return this.unfilteredPage(query, after?.[0] as string | undefined);
    }
    const rows = await definitions.listDefinitions(
      this.db,
      filter,
      query.size + 1,
      after?.[0] as string | undefined,
    );
    const more = rows.length > query.size;
    const items = rows.slice(0, query.size);
    const last = items.at(-1);
    return {
      items: await this.withStatus(items.map(toDefinitionDto)),
      page: {
        size: query.size,
        next: more && last ? encodeCursor([last.name]) : null,
        ...(query.total ? { total: await definitions.countDefinitions(this.db, filter) } : {}),
      },
    };
  }

  async get(name: string): Promise<TaskDefinitionWithStatus> {
    const row = await definitions.findDefinition(this.db, name);
    if (!row) throw notFound('task definition', name);
    const [dto] = await this.withStatus([toDefinitionDto(row)]);
    return dto!;
  }

  /** The unfiltered list (the hot one): page and newest executions in one prepared statement. */
  private async unfilteredPage(
    query: ListDefinitionsQuery,
    after: string | undefined,
  ): Promise<Page<TaskDefinitionWithStatus>> {
    const rows = await listPages.definitionPage(this.db, query.size + 1, after);
    const items = rows.slice(0, query.size);
    const last = items.at(-1);
    return {
      items: items.map(({ definition, latest }) => {
        const lastTaskExecution = latest
          ? toExecutionDto(latest.row, latest.jobExecutionIds, latest.queuePosition)
          : null;
        return {
          ...toDefinitionDto(definition),
          status: definitionStatus(lastTaskExecution?.status),
          lastTaskExecution,
        };
      }),
      page: {
        size: query.size,
        next: rows.length > query.size && last ? encodeCursor([last.definition.name]) : null,
        ...(query.total ? { total: await definitions.countDefinitions(this.db, {}) } : {}),
      },
    };
  }

  /** SCDF's view: each definition with its newest execution and the status that follows from it. */
  private async withStatus(defs: TaskDefinition[]): Promise<TaskDefinitionWithStatus[]> {
    const latest = await executions.latestExecutionsOf(
      this.db,
      defs.map((d) => d.name),
    );
    const dtos = await toExecutionDtos(this.db, latest);
    const byName = new Map(dtos.map((e) => [e.taskName, e]));
    return defs.map((d) => {
      const last = byName.get(d.name) ?? null;
      return { ...d, status: definitionStatus(last?.status), lastTaskExecution: last };
    });
  }

  async update(name: string, body: UpdateDefinitionBody): Promise<TaskDefinition> {
    return this.db.$transaction(async (tx) => {
      const current = await definitions.findDefinition(tx, name);
      if (!current) throw notFound('task definition', name);
      if (current.parentName) {
        throw new ApiError(
          'CONFLICT',
          `${name} belongs to composed task ${current.parentName}; edit that instead`,
        );
      }
      const { parsed, dslText } = await this.validateAndSeal(tx, body.definition, name);
      if (parsed.composed !== current.composed) {
        throw new ApiError(
          'CONFLICT',
          'an edit cannot turn a simple task into a composed one or back; create a new definition',
          [
            {
              path: 'body.definition',
              message: current.composed ? 'must stay a composed task' : 'must stay a simple task',
            },
          ],
        );
      }
      const updated = await definitions.updateDefinition(tx, current, {
        dslText,
        description: body.description === undefined ? current.description : body.description,
        composed: parsed.composed,
      });
      if (!updated) throw new ApiError('CONFLICT', `task definition ${name} was changed concurrently; retry`);
      if (parsed.task) await replaceChildDefinitions(tx, name, parsed.task);
      await audit.recordAudit(tx, {
        operation: 'TASK_DEFINITION',
        action: 'UPDATE',
        correlationId: name,
        data: { from: current.dslText, to: dslText, version: updated.version },
      });
      return toDefinitionDto(updated);
    });
  }

  async history(name: string) {
    const row = await definitions.findDefinition(this.db, name);
    if (!row) throw notFound('task definition', name);
    const revisions = await definitions.definitionRevisions(this.db, row.id);
    return {
      current: toDefinitionDto(row),
      revisions: revisions.map((r) => ({
        version: r.version,
        definition: redactText(r.dslText),
        description: r.description,
        createdAt: r.createdAt.toISOString(),
        supersededAt: r.supersededAt.toISOString(),
      })),
    };
  }

  /** The definition and, for a composed one, every child below it (for cleanup with the delete). */
  async namesWithDescendants(name: string): Promise<string[]> {
    const row = await definitions.findDefinition(this.db, name);
    if (!row) throw notFound('task definition', name);
    return [name, ...(row.composed ? await descendantDefinitions(this.db, name) : [])];
  }

  async delete(name: string, deleteSchedules = false): Promise<void> {
    await this.db.$transaction(async (tx) => {
      await definitions.lockDefinitions(tx, [name], 'update');
      const row = await definitions.findDefinition(tx, name);
      if (!row) throw notFound('task definition', name);
      if (row.parentName) {
        throw new ApiError(
          'CONFLICT',
          `${name} belongs to composed task ${row.parentName}; delete that instead`,
        );
      }
      const children = row.composed ? await descendantDefinitions(tx, name) : [];
      const unschedule = await this.schedules.beforeDefinitionDelete(tx, [name], deleteSchedules);
      await definitions.deleteDefinitions(tx, [name, ...children]);
      await audit.recordAudit(tx, { operation: 'TASK_DEFINITION', action: 'DELETE', correlationId: name });
      await unschedule();
    }, DELETE_TX_OPTIONS);
  }

  async deleteAll(deleteSchedules = false): Promise<number> {
    return this.db.$transaction(async (tx) => {
      const names = await definitions.lockDefinitions(tx, undefined, 'update');
      const unschedule = await this.schedules.beforeDefinitionDelete(tx, names, deleteSchedules);
      const deleted = await definitions.deleteAllDefinitions(tx);
      await audit.recordAudit(tx, {
        operation: 'TASK_DEFINITION',
        action: 'DELETE',
        correlationId: '*',
        data: { deleted },
      });
      await unschedule();
      return deleted;
    }, DELETE_TX_OPTIONS);
  }
}
