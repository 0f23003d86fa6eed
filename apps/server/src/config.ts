import { readFileSync } from 'node:fs';
import {
  DEFAULT_SECRET_KEY_PATTERN,
  DEFAULT_TABLE_PREFIXES,
  tablePrefixError,
  tablePrefixesError,
} from '@batchyard/core';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AUTH_ENV_KEYS, AuthConfig } from './auth/config.js';
import { LEADER_ENV_KEYS, LeaderConfig } from './leader/config.js';
import { RETENTION_ENV_KEYS, RetentionConfig } from './retention/config.js';

/**
 * The server's whole configuration: one zod schema, parsed once at start-up from an optional
 * YAML file (BATCHYARD_CONFIG) with environment variables on top, then frozen and passed down.
 * Nothing else reads process.env.
 */

/**
 * Account names become label values on Jobs and rows' platform names: a DNS label, and never
 * `composed` (the pseudo-account composed-task parents are recorded under).
 */
const AccountName = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    'must be a DNS label: lower-case letters, digits and -, at most 63',
  )
  .refine((name) => name !== 'composed', 'composed is reserved for composed-task parents');

const LocalAccount = z.object({
  name: AccountName,
  type: z.literal('local'),
  /** Working directory for task processes; each execution gets a sub-directory. */
  workDir: z.string().default('.batchyard/work'),
  maxConcurrent: z.number().int().min(1).max(10_000).default(20),
  defaults: z.record(z.string(), z.string()).default({}),
  mavenLocalRepository: z
    .string()
    .optional()
    .describe(
      'Local Maven repository maven:// app URIs resolve in (default ~/.m2/repository; nothing is downloaded).',
    ),
  java: z
    .string()
    .optional()
    .describe('The java executable that runs file:/maven:// jars (default java on PATH).'),
});

const KubernetesAccount = z.object({
  name: AccountName,
  type: z.literal('kubernetes'),
  namespace: z.string().min(1).max(63).optional(),
  kubeconfig: z.string().optional().describe('Path to a kubeconfig; omitted = in-cluster or ~/.kube/config.'),
  context: z.string().optional(),
  maxConcurrent: z.number().int().min(1).max(100_000).default(100),
  /** Deployer properties applied under every launch's own (e.g. limits.memory). */
  defaults: z.record(z.string(), z.string()).default({}),
  databaseSecret: z
    .object({ name: z.string(), key: z.string().default('url') })
    .optional()
    .describe('Secret holding the job repository URL that task pods receive as BATCHYARD_DATABASE_URL.'),
  springDatasourceSecret: z
    .object({
      name: z.string().optional(),
      urlKey: z.string().default('jdbc-url'),
      usernameKey: z.string().default('username'),
      passwordKey: z.string().default('password'),
    })
    .optional()
    .describe(
      "Secret keys Spring apps receive as SPRING_DATASOURCE_URL (JDBC form), _USERNAME and _PASSWORD; the name defaults to databaseSecret's.",
    ),
  pendingTimeoutSeconds: z.number().int().min(10).default(300),
  taskApiUrl: z
    .url()
    .optional()
    .describe(
      "The server's URL as task pods reach it (e.g. http://batchyard.batch.svc:9393): pods get it as BATCHYARD_URL, " +
        'with a projected ServiceAccount token for auth.kubernetes.audience, for remote partitions.',
    ),
  taskTokenExpirationSeconds: z
    .number()
    .int()
    .min(600)
    .max(86_400)
    .default(600)
    .describe('Lifetime of the projected token (the kubelet rotates it at 80%).'),
  quotaRelistSeconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(60)
    .describe(
      'The ResourceQuota informer re-lists this often: a revoked grant to read quotas fails launches within this long.',
    ),
});

/** Booleans from the environment arrive as strings: only true/false/1/0 are accepted. */
const Bool = z.preprocess(
  (v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v),
  z.boolean(),
);

const TablePrefix = z.string().superRefine((prefix, ctx) => {
  const error = tablePrefixError(prefix);
  if (error) ctx.addIssue({ code: 'custom', message: error });
});

export const PlatformAccount = z.discriminatedUnion('type', [LocalAccount, KubernetesAccount]);
export type PlatformAccount = z.infer<typeof PlatformAccount>;

export const ConfigSchema = z.object({
  server: z
    .object({
      host: z.string().default('127.0.0.1'),
      port: z.coerce.number().int().min(0).max(65_535).default(9393),
      bodyLimitBytes: z.coerce.number().int().min(1024).default(1_048_576),
      shutdownTimeoutMs: z.coerce.number().int().min(0).default(30_000),
    })
    .prefault({}),
  database: z
    .object({
      url: z.url().optional().describe('PostgreSQL URL; omitted = embedded PostgreSQL.'),
      poolSize: z.coerce.number().int().min(1).max(200).default(10),
      embedded: z
        .object({
          dir: z.string().default('.batchyard/pgdata'),
          port: z.coerce.number().int().min(0).max(65_535).default(0),
          restartAttempts: z.coerce
            .number()
            .int()
            .min(0)
            .max(100)
            .default(5)
            .describe(
              'Attempts to restart an embedded PostgreSQL that died before the server exits non-zero.',
            ),
        })
        .prefault({}),
      migrateOnStart: Bool.default(true),
    })
    .prefault({}),
  log: z
    .object({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      format: z
        .enum(['auto', 'json', 'pretty'])
        .default('auto')
        .describe('auto: one readable line per event on a terminal, JSON lines otherwise (containers).'),
    })
    .prefault({}),
  platforms: z
    .array(PlatformAccount)
    .min(1)
    .superRefine((accounts, ctx) => {
      const seen = new Set<string>();
      for (const [i, account] of accounts.entries()) {
        if (seen.has(account.name)) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'name'],
            message: `${account.name} is used by two accounts`,
          });
        }
        seen.add(account.name);
      }
    })
    .default([
      { name: 'default', type: 'local', workDir: '.batchyard/work', maxConcurrent: 20, defaults: {} },
    ]),
  executions: z
    .object({
      logTailBytes: z.coerce
        .number()
        .int()
        .min(0)
        .max(10 * 1024 * 1024)
        .default(65_536)
        .describe("Bytes of each execution's log kept in the database when it ends."),
      resyncSeconds: z.coerce
        .number()
        .int()
        .min(1)
        .max(3600)
        .default(15)
        .describe('Every non-terminal execution is re-checked against its platform this often.'),
    })
    .prefault({}),
  composed: z
    .object({
      maxConcurrentChildren: z.coerce
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(10)
        .describe('Children of one composed task running at once (split branches share it).'),
    })
    .prefault({}),
  schedules: z
    .object({
      checkSeconds: z.coerce
        .number()
        .int()
        .min(0)
        .max(60)
        .default(5)
        .describe('How often local-platform schedules are checked (0: never; tests drive tick()).'),
    })
    .prefault({}),
  apps: z
    .object({
      readImageLabels: Bool.default(false).describe(
        "Read SCDF's metadata label of docker: apps from their registry (anonymous Registry API v2) to list their options.",
      ),
    })
    .prefault({}),
  spring: z
    .object({
      batchTablePrefix: TablePrefix.default(DEFAULT_TABLE_PREFIXES.batch).describe(
        "Spring Batch's table prefix (spring.batch.jdbc.table-prefix) of the job repository, for every app and the worker.",
      ),
      taskTablePrefix: TablePrefix.default(DEFAULT_TABLE_PREFIXES.task).describe(
        "Spring Cloud Task's table prefix (spring.cloud.task.tablePrefix), for every app and the worker.",
      ),
    })
    .superRefine((p, ctx) => {
      const error = tablePrefixesError({ batch: p.batchTablePrefix, task: p.taskTablePrefix });
      if (error) ctx.addIssue({ code: 'custom', path: ['taskTablePrefix'], message: error });
    })
    .prefault({}),
  samples: z
    .object({ register: Bool.default(true).describe('Register the sample app and task at start.') })
    .prefault({}),
  dashboard: z
    .object({
      grafanaUrl: z
        .url({ protocol: /^https?$/ })
        .max(2048)
        .optional()
        .describe('Grafana dashboard the overview links to (e.g. the imported batchyard-dashboard).'),
    })
    .prefault({}),
  auth: AuthConfig,
  leader: LeaderConfig,
  retention: RetentionConfig,
  redaction: z
    .object({
      secretKeys: z
        .string()
        .refine((p) => {
          try {
            new RegExp(p, 'i');
            return true;
          } catch {
            return false;
          }
        }, 'must be a regular expression')
        .default(DEFAULT_SECRET_KEY_PATTERN)
        .describe('Keys whose values are masked everywhere they are stored, shown or logged.'),
      encryptionKey: z
        .string()
        .optional()
        .describe('32 bytes, base64: seals secret-looking DSL property values and launch secrets at rest.'),
    })
    .prefault({}),
});
export type Config = z.infer<typeof ConfigSchema>;

/** Environment variables and where they land. */
export const ENV_KEYS: Record<string, string> = {
  BATCHYARD_HOST: 'server.host',
  BATCHYARD_PORT: 'server.port',
  DATABASE_URL: 'database.url',
  BATCHYARD_DB_POOL_SIZE: 'database.poolSize',
  BATCHYARD_EMBEDDED_DB_DIR: 'database.embedded.dir',
  BATCHYARD_EMBEDDED_DB_PORT: 'database.embedded.port',
  BATCHYARD_EMBEDDED_DB_RESTART_ATTEMPTS: 'database.embedded.restartAttempts',
  BATCHYARD_MIGRATE_ON_START: 'database.migrateOnStart',
  BATCHYARD_LOG_LEVEL: 'log.level',
  BATCHYARD_LOG_FORMAT: 'log.format',
  BATCHYARD_REGISTER_SAMPLES: 'samples.register',
  BATCHYARD_GRAFANA_URL: 'dashboard.grafanaUrl',
  BATCHYARD_LOG_TAIL_BYTES: 'executions.logTailBytes',
  BATCHYARD_RESYNC_SECONDS: 'executions.resyncSeconds',
  BATCHYARD_SCHEDULE_CHECK_SECONDS: 'schedules.checkSeconds',
  BATCHYARD_COMPOSED_MAX_CONCURRENT_CHILDREN: 'composed.maxConcurrentChildren',
  BATCHYARD_APPS_READ_IMAGE_LABELS: 'apps.readImageLabels',
  BATCHYARD_SPRING_BATCH_TABLE_PREFIX: 'spring.batchTablePrefix',
  BATCHYARD_SPRING_TASK_TABLE_PREFIX: 'spring.taskTablePrefix',
  ...AUTH_ENV_KEYS,
  ...LEADER_ENV_KEYS,
  ...RETENTION_ENV_KEYS,
  BATCHYARD_SECRET_KEYS: 'redaction.secretKeys',
  BATCHYARD_ENCRYPTION_KEY: 'redaction.encryptionKey',
};

/** The configured job repository prefixes, as the contract and the database take them. */
export const tablePrefixes = (config: Readonly<Config>) => ({
  batch: config.spring.batchTablePrefix,
  task: config.spring.taskTablePrefix,
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node[key] = typeof next === 'object' && next !== null ? next : {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

const envNameFor = (path: string): string | undefined =>
  Object.entries(ENV_KEYS).find(([, p]) => path === p || path.startsWith(`${p}.`))?.[0];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  let raw: Record<string, unknown> = {};
  const file = env.BATCHYARD_CONFIG;
  if (file) {
    try {
      const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));
      if (parsed !== null && typeof parsed === 'object') raw = parsed as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`configuration file ${file}: ${(err as Error).message}`);
    }
  }
  for (const [name, path] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, value);
  }
  if (env.BATCHYARD_PLATFORMS) {
    try {
      setPath(raw, 'platforms', JSON.parse(env.BATCHYARD_PLATFORMS));
    } catch (err) {
      throw new ConfigError(`BATCHYARD_PLATFORMS is not JSON: ${(err as Error).message}`);
    }
  }
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const path = issue.path.join('.');
      const envName = envNameFor(path);
      return `  ${path || '(root)'}${envName ? ` (${envName})` : ''}: ${describeIssue(issue, raw)}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return deepFreeze(result.data);
}

/** zod's `expected number, received NaN` for `BATCHYARD_PORT=abc` says it as a person would. */
function describeIssue(issue: z.core.$ZodIssue, raw: Record<string, unknown>): string {
  if (issue.code === 'invalid_type' && issue.expected === 'number') {
    const given = issue.path.reduce<unknown>(
      (node, key) =>
        node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined,
      raw,
    );
    if (given !== undefined) return `expected a number, got '${String(given)}'`;
  }
  return issue.message;
}

function deepFreeze<T>(value: T): Readonly<T> {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The configuration as it may be logged or shown: credentials removed from URLs, secrets masked. */
export function redactedConfig(config: Config): unknown {
  return JSON.parse(JSON.stringify(config), (key, value: unknown) => {
    if (typeof value !== 'string') return value;
    if (key === 'url') return redactUrl(value);
    return /secret|password|token/i.test(key) ? '***' : value;
  });
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '***';
  }
}
