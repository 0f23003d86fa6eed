import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { get_dmmf } from '@prisma/prisma-schema-wasm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';

/**
 * The migrations are hand-written SQL (Prisma's schema engine cannot be downloaded here), so this
 * test is what keeps them honest: it reads schema.prisma through Prisma's own parser (the wasm
 * build of prisma-schema, which produces the DMMF) and compares every table, column, type,
 * nullability, default, index and foreign key with the catalog of a freshly migrated database.
 */

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object' | 'unsupported';
  type: string;
  isRequired: boolean;
  isList: boolean;
  isUpdatedAt: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  dbName?: string;
  algorithm?: string;
  fields: { name: string; sortOrder?: 'asc' | 'desc'; operatorClass?: string }[];
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; dbName?: string | null; values: { name: string; dbName?: string | null }[] }[];
    indexes: DmmfIndex[];
  };
}

const schemaPath = fileURLToPath(new URL('../../../prisma/schema.prisma', import.meta.url));
const dmmf = JSON.parse(
  get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', readFileSync(schemaPath, 'utf8')]] })),
) as Dmmf;
const models = dmmf.datamodel.models;
const table = (m: DmmfModel): string => m.dbName ?? m.name;
const column = (m: DmmfModel, field: string): string => {
  const f = m.fields.find((x) => x.name === field);
  if (!f) throw new Error(`no field ${m.name}.${field}`);
  return f.dbName ?? f.name;
};
const enumDbName = (name: string): string =>
  dmmf.datamodel.enums.find((e) => e.name === name)?.dbName ?? name;

function expectedType(f: DmmfField): string {
  if (f.kind === 'enum') return enumDbName(f.type);
  const [native, args] = f.nativeType ?? [undefined, []];
  switch (f.type) {
    case 'Int':
      return 'integer';
    case 'BigInt':
      return 'bigint';
    case 'Boolean':
      return 'boolean';
    case 'Float':
      return 'double precision';
    case 'Json':
      return 'jsonb';
    case 'String':
      if (native === 'Char') return `character(${args[0]})`;
      return native === 'VarChar' ? `character varying(${args[0]})` : 'text';
    case 'DateTime':
      if (native === 'Timestamptz') return `timestamp(${args[0] ?? 6}) with time zone`;
      // Spring's DDL says plain TIMESTAMP (`@db.Timestamp` without a precision).
      if (native === 'Timestamp' && args.length === 0) return 'timestamp without time zone';
      return `timestamp(${args[0] ?? 3}) without time zone`;
    default:
      throw new Error(`type ${f.type} is not mapped in the drift test yet`);
  }
}

function expectedDefault(m: DmmfModel, f: DmmfField): string | null {
  if (!f.hasDefaultValue) return null;
  const d = f.default;
  if (typeof d === 'object' && d !== null && 'name' in d) {
    const fn = (d as { name: string }).name;
    if (fn === 'autoincrement') return `nextval('${table(m)}_${f.dbName ?? f.name}_seq'::regclass)`;
    if (fn === 'now') return 'CURRENT_TIMESTAMP';
    throw new Error(`default function ${fn} is not mapped in the drift test yet`);
  }
  if (typeof d === 'boolean' || typeof d === 'number') return String(d);
  // The DMMF gives a BigInt default as a string.
  if (f.type === 'BigInt' && typeof d === 'string') return d;
  if (typeof d === 'string') {
    const t = f.kind === 'enum' ? enumDbName(f.type) : f.type === 'Json' ? 'jsonb' : 'text';
    return `'${d}'::${f.type === 'String' && f.nativeType?.[0] === 'VarChar' ? 'character varying' : t}`;
  }
  throw new Error(`default ${JSON.stringify(d)} is not mapped in the drift test yet`);
}

function expectedIndexes(): string[] {
  return dmmf.datamodel.indexes.map((ix) => {
    const m = models.find((x) => x.name === ix.model)!;
    const cols = ix.fields.map((f) => column(m, f.name));
    const suffix = ix.type === 'id' ? 'pkey' : ix.type === 'unique' ? 'key' : 'idx';
    const name =
      ix.dbName ?? (ix.type === 'id' ? `${table(m)}_pkey` : `${table(m)}_${cols.join('_')}_${suffix}`);
    const parts = ix.fields.map((f) => {
      let s = column(m, f.name);
      if (f.operatorClass) s += ` ${f.operatorClass}`;
      if (f.sortOrder === 'desc') s += ' DESC';
      return s;
    });
    const unique = ix.type === 'normal' ? '' : 'UNIQUE ';
    const method = (ix.algorithm ?? 'BTree').toLowerCase();
    return `CREATE ${unique}INDEX ${name} ON public.${table(m)} USING ${method} (${parts.join(', ')})`;
  });
}

function expectedForeignKeys(): string[] {
  const out: string[] = [];
  for (const m of models) {
    for (const f of m.fields) {
      if (f.kind !== 'object' || !f.relationFromFields?.length) continue;
      const target = models.find((x) => x.name === f.type)!;
      const from = f.relationFromFields.map((c) => column(m, c));
      const to = (f.relationToFields ?? []).map((c) => column(target, c));
      const onDelete = { Cascade: 'CASCADE', SetNull: 'SET NULL', Restrict: 'RESTRICT' }[
        f.relationOnDelete ?? ''
      ];
      const del = onDelete ? ` ON DELETE ${onDelete}` : '';
      out.push(
        `${table(m)}_${from.join('_')}_fkey: FOREIGN KEY (${from.join(', ')}) REFERENCES ${table(target)}(${to.join(', ')}) ON UPDATE CASCADE${del}`,
      );
    }
  }
  return out.sort();
}

/**
 * Spring's tables without a key, which Prisma cannot model (`@@ignore`d, so absent from the DMMF):
 * their columns, exactly as Spring's schema-postgresql.sql defines them, their foreign keys, and the
 * indexes Batchyard adds (their `@@index` is in schema.prisma, but the DMMF leaves ignored models out).
 */
const UNMODELLED: Record<string, { columns: string[]; foreignKeys: string[]; indexes: string[] }> = {
  batch_job_execution_params: {
    columns: [
      'job_execution_id: bigint DEFAULT null',
      'parameter_name: character varying(100) DEFAULT null',
      'parameter_type: character varying(100) DEFAULT null',
      'parameter_value: character varying(2500) NULL DEFAULT null',
      'identifying: character(1) DEFAULT null',
    ],
    foreignKeys: [
      'batch_job_execution_params_job_execution_id_fkey: FOREIGN KEY (job_execution_id) REFERENCES batch_job_execution(job_execution_id) ON UPDATE CASCADE ON DELETE CASCADE',
    ],
    indexes: [
      'CREATE INDEX batch_job_execution_params_job_execution_id_idx ON public.batch_job_execution_params USING btree (job_execution_id)',
    ],
  },
  task_execution_params: {
    columns: [
      'task_execution_id: bigint DEFAULT null',
      'task_param: character varying(2500) NULL DEFAULT null',
    ],
    foreignKeys: [
      'task_execution_params_task_execution_id_fkey: FOREIGN KEY (task_execution_id) REFERENCES task_execution(task_execution_id) ON UPDATE CASCADE ON DELETE CASCADE',
    ],
    indexes: [
      'CREATE INDEX task_execution_params_task_execution_id_idx ON public.task_execution_params USING btree (task_execution_id)',
    ],
  },
};
const unmodelledColumns = Object.entries(UNMODELLED).flatMap(([t, u]) => u.columns.map((c) => `${t}.${c}`));
const unmodelledForeignKeys = Object.values(UNMODELLED).flatMap((u) => u.foreignKeys);
const unmodelledIndexes = Object.values(UNMODELLED).flatMap((u) => u.indexes);

describe('migrated database matches prisma/schema.prisma', () => {
  let db: TestDatabase;
  let client: pg.Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it('has exactly the tables of the schema (plus _prisma_migrations)', async () => {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    expect(rows.map((r) => r.table_name).sort()).toEqual(
      [...models.map(table), ...Object.keys(UNMODELLED), '_prisma_migrations'].sort(),
    );
  });

  it('has exactly the enums and their values', async () => {
    const { rows } = await client.query<{ name: string; labels: string[] }>(
      `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
    );
    const actual = Object.fromEntries(rows.map((r) => [r.name, r.labels]));
    const expected = Object.fromEntries(
      dmmf.datamodel.enums.map((e) => [e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name)]),
    );
    expect(actual).toEqual(expected);
  });

  it('has exactly the columns, types, nullability and defaults', async () => {
    const { rows } = await client.query<{
      t: string;
      c: string;
      type: string;
      nullable: boolean;
      def: string | null;
    }>(
      `SELECT c.relname AS t, a.attname AS c, format_type(a.atttypid, a.atttypmod) AS type,
              NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS def
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> '_prisma_migrations'`,
    );
    const actual = rows
      .map((r) => `${r.t}.${r.c}: ${r.type}${r.nullable ? ' NULL' : ''} DEFAULT ${r.def}`)
      .sort();
    const expected = models
      .flatMap((m) =>
        m.fields
          .filter((f) => f.kind === 'scalar' || f.kind === 'enum')
          .map(
            (f) =>
              `${table(m)}.${f.dbName ?? f.name}: ${expectedType(f)}${f.isRequired ? '' : ' NULL'} DEFAULT ${expectedDefault(m, f)}`,
          ),
      )
      .concat(unmodelledColumns)
      .sort();
    expect(actual).toEqual(expected);
  });

  it('has exactly the indexes (names, columns, order, method, operator classes)', async () => {
    const { rows } = await client.query<{ def: string }>(
      `SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
         JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname <> '_prisma_migrations'`,
    );
    expect(rows.map((r) => r.def.replaceAll('"', '')).sort()).toEqual(
      [...expectedIndexes(), ...unmodelledIndexes].sort(),
    );
  });

  it('has exactly the foreign keys with their referential actions', async () => {
    const { rows } = await client.query<{ name: string; def: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE contype = 'f' AND connamespace = 'public'::regnamespace`,
    );
    expect(rows.map((r) => `${r.name}: ${r.def.replaceAll('"', '')}`).sort()).toEqual(
      [...expectedForeignKeys(), ...unmodelledForeignKeys].sort(),
    );
  });
});
