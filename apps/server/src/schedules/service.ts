import {
  ApiError,
  alreadyExists,
  badCursor,
  type CreateScheduleBody,
  decodeCursor,
  encodeCursor,
  type ListSchedulesQuery,
  notFound,
  type Page,
  type PatchScheduleBody,
  type ReplaceScheduleBody,
  type Schedule,
  type ScheduleDetail,
  type ScheduleListItem,
} from '@batchyard/core';
import { audit, definitions, type Prisma, type PrismaClient, schedules } from '@batchyard/db';
import type { Logger } from 'pino';
import type { PlatformRegistry } from '../platform/registry.js';
import type { Platform } from '../platform/types.js';
import type { Launcher } from '../services/launcher.js';
import { nextFireTimes } from './cron.js';
import { asScheduleError, assertCron, scheduleSpec, toScheduleDto } from './dto.js';

type Row = schedules.Schedule;
type Fields = schedules.ScheduleFields;

/** A platform call (creating or replacing a CronJob) runs inside the row's transaction. */
const TX_OPTIONS = { maxWait: 30_000, timeout: 60_000 };

/**
 * Schedules: validated like a launch, stored, and handed to the platform's own scheduler where it
 * has one (a CronJob on Kubernetes); on the local platform LocalScheduler fires them in-process.
 * The row and the platform object change together: a refused CronJob rolls the row back.
 */
export class ScheduleService {
  constructor(
    private readonly db: PrismaClient,
    private readonly platforms: PlatformRegistry,
    private readonly launcher: Launcher,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(body: CreateScheduleBody): Promise<Schedule> {
    const platform = this.platforms.resolve(body.platform);
    const fields = toFields(body);
    const launch = await this.validate(fields, platform);
    let scheduled = false;
    try {
      return await this.db.$transaction(async (tx) => {
        await this.lockDefinition(tx, fields.taskDefinitionName);
        if (await schedules.findSchedule(tx, body.scheduleName)) {
          throw alreadyExists('schedule', body.scheduleName, 'body.scheduleName');
        }
        const row = await schedules.insertSchedule(tx, {
          ...this.sealed(fields),
          name: body.scheduleName,
          platformName: platform.name,
          externalName: null,
        });
        const state = await platform.schedule?.(scheduleSpec({ ...fields, name: row.name }, launch));
        scheduled = state !== undefined;
        const saved = state
          ? await schedules.updateSchedule(tx, row.id, { externalName: state.externalName })
          : row;
        await audit.recordAudit(tx, {
          operation: 'SCHEDULE',
          action: 'CREATE',
          correlationId: row.name,
          platformName: platform.name,
          data: { task: fields.taskDefinitionName, cron: fields.cron, timeZone: fields.timeZone },
        });
        return toScheduleDto(saved);
      }, TX_OPTIONS);
    } catch (err) {
      // The CronJob exists but the row did not commit: take it back rather than leave it firing.
      if (scheduled) await this.unschedule(platform, body.scheduleName);
      // Two creates of one name racing past the check: the unique index decides.
      if ((err as { code?: string }).code === 'P2002') {
        throw alreadyExists('schedule', body.scheduleName, 'body.scheduleName');
      }
      throw err;
    }
  }

  async list(query: ListSchedulesQuery): Promise<Page<ScheduleListItem>> {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    if (query.cursor && (!after || typeof after[0] !== 'string')) {
      throw badCursor();
    }
    const filter = { taskDefinitionName: query.taskDefinitionName };
    const rows = await schedules.listSchedules(
      this.db,
      filter,
      query.size + 1,
      after?.[0] as string | undefined,
    );
    const items = rows.slice(0, query.size);
    const last = items.at(-1);
    return {
      // The next fire of each row, computed here (pure) so a list page needs no call per row.
      items: items.map((row) => ({
        ...toScheduleDto(row),
        nextFireTime: row.suspend
          ? null
          : (nextFireTimes(row.cron, row.timeZone, this.now(), 1)[0]?.toISOString() ?? null),
      })),
      page: {
        size: query.size,
        next: rows.length > query.size && last ? encodeCursor([last.name]) : null,
        ...(query.total ? { total: await schedules.countSchedules(this.db, filter) } : {}),
      },
    };
  }

  async get(name: string): Promise<ScheduleDetail> {
    const row = await this.find(name);
    const platform = this.platforms.find(row.platformName);
    let lastScheduleTime = row.lastFireTime;
    if (platform?.scheduleState) {
      try {
        lastScheduleTime = (await platform.scheduleState(row.name))?.lastScheduleTime ?? null;
      } catch (err) {
        this.logger.warn({ err, schedule: row.name }, 'could not read the schedule from its platform');
      }
    }
    const recent = await schedules.executionsOfSchedule(this.db, row.name, 10);
    return {
      ...toScheduleDto(row),
      nextFireTimes: row.suspend
        ? []
        : nextFireTimes(row.cron, row.timeZone, this.now(), 5).map((d) => d.toISOString()),
      lastScheduleTime: lastScheduleTime?.toISOString() ?? null,
      recentExecutions: recent.map((e) => ({
        id: e.id,
        status: e.status,
        exitCode: e.exitCode,
        createdAt: e.createdAt.toISOString(),
        startTime: e.startTime?.toISOString() ?? null,
        endTime: e.endTime?.toISOString() ?? null,
      })),
    };
  }

  /** PUT: every editable field replaced. */
  replace(name: string, body: ReplaceScheduleBody): Promise<Schedule> {
    return this.edit(name, () => toFields(body));
  }

  /** PATCH: only the given fields change (`null` clears an optional one). */
  patch(name: string, body: PatchScheduleBody): Promise<Schedule> {
    return this.edit(name, (row) => {
      const current = this.currentFields(row);
      const given = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
      return { ...current, ...given } as Fields;
    });
  }

  /** The row and the platform object are edited in place (the CronJob keeps its uid). */
  private async edit(name: string, change: (row: Row) => Fields): Promise<Schedule> {
    const row = await this.find(name);
    const platform = this.platformOf(row);
    const fields = change(row);
    const launch = await this.validate(fields, platform);
    let replaced = false;
    try {
      return await this.db.$transaction(async (tx) => {
        await this.lockDefinition(tx, fields.taskDefinitionName);
        const updated = await schedules.updateSchedule(tx, row.id, this.sealed(fields));
        const state = await platform.schedule?.(scheduleSpec({ ...fields, name: row.name }, launch));
        replaced = state !== undefined;
        const saved =
          state && state.externalName !== updated.externalName
            ? await schedules.updateSchedule(tx, row.id, { externalName: state.externalName })
            : updated;
        await audit.recordAudit(tx, {
          operation: 'SCHEDULE',
          action: 'UPDATE',
          correlationId: name,
          platformName: platform.name,
          data: { cron: fields.cron, timeZone: fields.timeZone, suspend: fields.suspend },
        });
        return toScheduleDto(saved);
      }, TX_OPTIONS);
    } catch (err) {
      // The CronJob changed but the row did not: put the platform object back as the row says.
      if (replaced) await this.restore(platform, row);
      throw err;
    }
  }

  async delete(name: string): Promise<void> {
    const row = await this.find(name);
    await this.db.$transaction(async (tx) => {
      await schedules.deleteSchedule(tx, row.id);
      await audit.recordAudit(tx, { operation: 'SCHEDULE', action: 'DELETE', correlationId: name });
      // Last: a refusal rolls the row back, and nothing can fail after the CronJob is gone.
      await this.platforms.find(row.platformName)?.unschedule?.(row.name);
    }, TX_OPTIONS);
  }

  /** Every schedule of a definition; returns how many were deleted. */
  async deleteForDefinition(taskDefinitionName: string): Promise<number> {
    const names = await schedules.scheduleNamesOf(this.db, [taskDefinitionName]);
    for (const name of names) await this.delete(name);
    return names.length;
  }

  /**
   * A definition with schedules is deleted only with its schedules, and only when asked to. Runs in
   * the definition delete's transaction (definitions locked, so no schedule can be added meanwhile);
   * the returned step removes the platform objects as that transaction's last step.
   */
  async beforeDefinitionDelete(
    tx: Prisma.TransactionClient,
    taskDefinitionNames: string[],
    deleteSchedules: boolean,
  ): Promise<() => Promise<void>> {
    const rows = await schedules.schedulesOf(tx, taskDefinitionNames);
    if (rows.length === 0) return async () => {};
    if (!deleteSchedules) {
      const which = [...new Set(rows.map((r) => r.taskDefinitionName))].join(', ');
      const list = rows.map((r) => r.name).join(', ');
      throw new ApiError(
        'CONFLICT',
        `task definition${taskDefinitionNames.length > 1 ? 's' : ''} '${which}' ${rows.length > 1 ? 'have' : 'has'} schedules (${list}); delete them first or pass ?schedules=delete`,
        rows.map((r) => ({ path: 'schedules', message: r.name })),
      );
    }
    for (const row of rows) {
      await schedules.deleteSchedule(tx, row.id);
      await audit.recordAudit(tx, { operation: 'SCHEDULE', action: 'DELETE', correlationId: row.name });
    }
    return async () => {
      for (const row of rows) await this.platforms.find(row.platformName)?.unschedule?.(row.name);
    };
  }

  /** Depends on the definition existing until the transaction ends (a delete waits, then sees us). */
  private async lockDefinition(tx: Prisma.TransactionClient, name: string): Promise<void> {
    if ((await definitions.lockDefinitions(tx, [name], 'share')).length === 0) {
      asScheduleError(notFound('task definition', name), name);
    }
  }

  /** Compensation for a CronJob whose row did not commit; a failure is logged (resync-free leftover). */
  private async unschedule(platform: Platform, name: string): Promise<void> {
    await platform.unschedule?.(name).catch((err: unknown) => {
      this.logger.error(
        { err, schedule: name },
        'could not remove the CronJob of a schedule that was not saved',
      );
    });
  }

  /** Compensation for an edit whose row did not commit: re-applies the stored schedule. */
  private async restore(platform: Platform, row: Row): Promise<void> {
    try {
      const fields = this.currentFields(row);
      const launch = await this.validate(fields, platform);
      await platform.schedule?.(scheduleSpec({ ...fields, name: row.name }, launch));
    } catch (err) {
      this.logger.error(
        { err, schedule: row.name },
        'could not restore the CronJob of a schedule edit that was not saved',
      );
    }
  }

  /**
   * What the row keeps: arguments and properties masked as every response shows them, and the
   * launch as given sealed beside them (a 400 when secrets cannot be sealed: no key).
   */
  private sealed(fields: Fields): Fields {
    const kept = this.launcher.secrets.keep(
      { arguments: fields.arguments, properties: fields.properties },
      'body',
    );
    return { ...fields, ...kept };
  }

  /** The stored schedule with its secrets opened, as its fires launch it. */
  private currentFields(row: Row): Fields {
    const launch = this.launcher.secrets.openStored(`schedule '${row.name}'`, row);
    return {
      taskDefinitionName: row.taskDefinitionName,
      cron: row.cron,
      timeZone: row.timeZone,
      arguments: launch.arguments,
      properties: launch.properties,
      concurrencyPolicy: row.concurrencyPolicy,
      startingDeadlineSeconds: row.startingDeadlineSeconds,
      successfulJobsHistoryLimit: row.successfulJobsHistoryLimit,
      failedJobsHistoryLimit: row.failedJobsHistoryLimit,
      suspend: row.suspend,
    };
  }

  private async find(name: string): Promise<Row> {
    const row = await schedules.findSchedule(this.db, name);
    if (!row) throw notFound('schedule', name);
    return row;
  }

  private platformOf(row: Row): Platform {
    const platform = this.platforms.find(row.platformName);
    if (!platform) {
      throw new ApiError(
        'CONFLICT',
        `schedule '${row.name}' is on platform account '${row.platformName}', which is no longer configured`,
      );
    }
    return platform;
  }

  /** Everything a launch would check (definition, app, properties), plus the cron expression. */
  private async validate(fields: Fields, platform: Platform) {
    assertCron(fields.cron);
    try {
      const { spec } = await this.launcher.prepare({
        name: fields.taskDefinitionName,
        arguments: fields.arguments,
        properties: fields.properties,
        platform: platform.name,
      });
      return spec;
    } catch (err) {
      asScheduleError(err, fields.taskDefinitionName);
    }
  }
}

function toFields(body: ReplaceScheduleBody): Fields {
  return {
    taskDefinitionName: body.taskDefinitionName,
    cron: body.cron.trim(),
    timeZone: body.timeZone ?? null,
    arguments: body.arguments,
    properties: body.properties,
    concurrencyPolicy: body.concurrencyPolicy,
    startingDeadlineSeconds: body.startingDeadlineSeconds ?? null,
    successfulJobsHistoryLimit: body.successfulJobsHistoryLimit ?? null,
    failedJobsHistoryLimit: body.failedJobsHistoryLimit ?? null,
    suspend: body.suspend,
  };
}
