import {
  ApiError,
  AppName,
  type AppRegistration,
  type AppType,
  AppType as AppTypeSchema,
  AppUri,
  AppVersion,
  alreadyExists,
  badCursor,
  decodeCursor,
  encodeCursor,
  type ListAppsQuery,
  notFound,
  type Page,
  parseAppImport,
  type RegisterAppBody,
} from '@batchyard/core';
import { apps, audit, definitions, type PrismaClient } from '@batchyard/db';
import { appOptions } from '../spring/app-options.js';
import type { ImageLabelCache } from '../spring/image-labels.js';

type Row = apps.AppRegistration;

export function toAppDto(row: Row): AppRegistration {
  return {
    type: row.type,
    name: row.name,
    version: row.version,
    uri: row.uri,
    metadataUri: row.metadataUri,
    command: Array.isArray(row.command) ? row.command.map(String) : null,
    springContract: row.springContract,
    defaultVersion: row.isDefault,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export class AppRegistryService {
  constructor(
    private readonly db: PrismaClient,
    /** Where maven:// URIs resolve when their metadata is read (the local platform's repository). */
    private readonly mavenLocalRepository?: string,
    /** Set when image labels are read (apps.readImageLabels): SCDF's metadata label of docker: apps. */
    private readonly images?: ImageLabelCache,
  ) {}

  async register(
    type: AppType,
    name: string,
    version: string,
    body: RegisterAppBody,
  ): Promise<AppRegistration> {
    return this.db.$transaction(async (tx) => {
      const existing = await apps.findAppVersion(tx, type, name, version);
      if (existing && !body.force) {
        throw alreadyExists('app', `${type}:${name}:${version}`, 'params.version');
      }
      const versions = await apps.appVersions(tx, type, name);
      // SCDF: the first version registered is the default; later ones only when asked.
      const isDefault = versions.length === 0 || body.makeDefault === true || existing?.isDefault === true;
      if (isDefault) await apps.setDefaultVersion(tx, type, name, version);
      const row = await apps.upsertApp(tx, {
        type,
        name,
        version,
        uri: body.uri,
        metadataUri: body.metadataUri ?? null,
        command: body.command ?? null,
        springContract: body.springContract ?? true,
        isDefault,
      });
      await audit.recordAudit(tx, {
        operation: 'APP_REGISTRATION',
        action: existing ? 'UPDATE' : 'CREATE',
        correlationId: `${type}:${name}:${version}`,
        data: { uri: body.uri },
      });
      return toAppDto(row);
    });
  }

  async list(query: ListAppsQuery): Promise<Page<AppRegistration>> {
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    if (query.cursor && (!after || typeof after[0] !== 'string' || typeof after[1] !== 'number')) {
      throw badCursor();
    }
    const filter = { type: query.type, search: query.search, defaultOnly: query.defaultOnly };
    const rows = await apps.listApps(
      this.db,
      filter,
      query.size + 1,
      after ? { name: after[0] as string, id: after[1] as number } : undefined,
    );
    const more = rows.length > query.size;
    const items = rows.slice(0, query.size);
    const last = items.at(-1);
    return {
      items: items.map(toAppDto),
      page: {
        size: query.size,
        next: more && last ? encodeCursor([last.name, last.id]) : null,
        ...(query.total ? { total: await apps.countApps(this.db, filter) } : {}),
      },
    };
  }

  async get(type: AppType, name: string): Promise<AppRegistration & { versions: string[] }> {
    const versions = await apps.appVersions(this.db, type, name);
    const def = versions.find((v) => v.isDefault) ?? versions.at(-1);
    if (!def) throw notFound('app', `${type}:${name}`);
    const options = await appOptions([def.metadataUri, def.uri], this.mavenLocalRepository, this.images);
    return { ...toAppDto(def), versions: versions.map((v) => v.version), ...(options ? { options } : {}) };
  }

  async getVersion(type: AppType, name: string, version: string): Promise<AppRegistration> {
    const row = await apps.findAppVersion(this.db, type, name, version);
    if (!row) throw notFound('app', `${type}:${name}:${version}`);
    return toAppDto(row);
  }

  async makeDefault(type: AppType, name: string, version: string): Promise<AppRegistration> {
    return this.db.$transaction(async (tx) => {
      const row = await apps.findAppVersion(tx, type, name, version);
      if (!row) throw notFound('app', `${type}:${name}:${version}`);
      await apps.setDefaultVersion(tx, type, name, version);
      return toAppDto({ ...row, isDefault: true });
    });
  }

  /** Unregisters one version, or every version when `version` is omitted. */
  async unregister(type: AppType, name: string, version?: string): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const versions = await apps.appVersions(tx, type, name);
      const target = version ? versions.filter((v) => v.version === version) : versions;
      if (target.length === 0) throw notFound('app', `${type}:${name}${version ? `:${version}` : ''}`);
      const remaining = versions.filter((v) => !target.includes(v));
      if (type === 'task' && remaining.length === 0) {
        const users = await definitions.definitionsUsingApp(tx, name);
        if (users.length > 0) {
          throw new ApiError(
            'CONFLICT',
            `app ${name} is used by task definitions ${users.join(', ')}; delete them first`,
            [{ path: 'params.name', message: `used by ${users.join(', ')}` }],
          );
        }
      }
      for (const v of target) await apps.deleteAppVersion(tx, type, name, v.version);
      // Keep a default: when the default goes, the newest remaining version takes over.
      const newest = remaining.at(-1);
      if (target.some((v) => v.isDefault) && newest)
        await apps.setDefaultVersion(tx, type, name, newest.version);
      await audit.recordAudit(tx, {
        operation: 'APP_REGISTRATION',
        action: 'DELETE',
        correlationId: `${type}:${name}${version ? `:${version}` : ''}`,
      });
    });
  }

  async unregisterAll(type?: AppType): Promise<number> {
    return apps.deleteAllApps(this.db, type);
  }

  /** SCDF's bulk import. Every line is validated before anything is written. */
  async importProperties(text: string, force: boolean) {
    const { apps: entries, problems } = parseAppImport(text);
    const details = problems.map((p) => ({ path: `body.properties[line ${p.line}]`, message: p.message }));
    for (const e of entries) {
      const checks: [string, { success: boolean; error?: { issues: { message: string }[] } }][] = [
        ['type', AppTypeSchema.safeParse(e.type)],
        ['name', AppName.safeParse(e.name)],
        ['version', AppVersion.safeParse(e.version)],
        ['uri', AppUri.safeParse(e.uri)],
      ];
      for (const [what, r] of checks) {
        if (!r.success) {
          details.push({
            path: `body.properties[line ${e.line}]`,
            message: `${what}: ${r.error?.issues[0]?.message ?? 'invalid'}`,
          });
        }
      }
    }
    if (details.length > 0) {
      throw new ApiError('VALIDATION_FAILED', `the import has ${details.length} problem(s)`, details);
    }
    const registered: AppRegistration[] = [];
    const skipped: { type: AppType; name: string; version: string; reason: string }[] = [];
    for (const e of entries) {
      const type = e.type as AppType;
      try {
        registered.push(
          await this.register(type, e.name, e.version, { uri: e.uri, metadataUri: e.metadataUri, force }),
        );
      } catch (err) {
        if (err instanceof ApiError && err.code === 'ALREADY_EXISTS') {
          skipped.push({ type, name: e.name, version: e.version, reason: 'already registered (use force)' });
        } else {
          throw err;
        }
      }
    }
    return { registered, skipped };
  }
}
