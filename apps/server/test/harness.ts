import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDefaultPrefixes } from '@batchyard/core';
import { createPrismaClient, type PrismaClient } from '@batchyard/db';
import type { FastifyInstance } from 'fastify';
import parsePrometheusText from 'parse-prometheus-text-format';
import { pino } from 'pino';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { type AppDeps, buildApp } from '../src/app.js';
import { type Config, loadConfig, tablePrefixes } from '../src/config.js';
import { applyTablePrefixes } from '../src/runtime.js';

export interface TestServer {
  url: string;
  app: FastifyInstance;
  db: TestDatabase;
  config: Readonly<Config>;
  prisma: PrismaClient;
  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T; headers: Headers }>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  db?: TestDatabase;
  keepDatabase?: boolean;
  /** Configuration as the YAML file would hold it (nested keys), under the environment. */
  yaml?: Record<string, unknown>;
  /** Extra dependencies for buildApp (an injected TokenReview, OIDC tuning). */
  deps?: Pick<AppDeps, 'review' | 'oidcOptions'> & { logger?: AppDeps['logger'] };
  /** The server's own database URL (a proxy that a test partitions); task processes keep the direct one. */
  databaseUrl?: string;
  /** Called with the app before it listens (a test records what requests arrive). */
  beforeListen?: (app: FastifyInstance) => void;
}

/** A real server on a real port over a fresh, migrated database. */
export async function startTestServer(
  env: NodeJS.ProcessEnv = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const db = options.db ?? (await createTestDatabase());
  let file: string | undefined;
  if (options.yaml) {
    file = join(tmpdir(), `batchyard-test-${db.name}.json`); // JSON is YAML
    writeFileSync(file, JSON.stringify(options.yaml));
  }
  const config = loadConfig({
    ...(file ? { BATCHYARD_CONFIG: file } : {}),
    DATABASE_URL: db.url,
    BATCHYARD_PORT: '0',
    BATCHYARD_LOG_LEVEL: 'silent',
    ...env,
  });
  const prisma = createPrismaClient({ url: options.databaseUrl ?? db.url, poolSize: 10 });
  // The template is migrated; what start-up adds for non-default Spring table prefixes is not.
  if (!isDefaultPrefixes(tablePrefixes(config))) {
    await applyTablePrefixes(config, prisma, pino({ level: 'silent' }));
  }
  const app = await buildApp({
    config,
    prisma,
    databaseUrl: db.url,
    embeddedDatabase: false,
    logger: pino({ level: 'silent' }),
    ...options.deps,
  });
  options.beforeListen?.(app);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    app,
    db,
    config,
    prisma,
    async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        redirect: 'manual',
      });
      const text = await res.text();
      let parsed: unknown = text || null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON (metrics, redirects): the text itself
      }
      return { status: res.status, body: parsed as T, headers: res.headers };
    },
    async close() {
      await app.close();
      await prisma.$disconnect();
      if (!options.keepDatabase) await db.drop();
    },
  };
}

export interface ErrorBody {
  error: string;
  message: string;
  details: { path: string; message: string }[];
}

/**
 * The sum of a counter's series on /metrics whose labels include `labels` (0 when none exists yet).
 * Counters are per app (not prom-client's global registry), so a test reads its own server's.
 */
export async function counterValue(
  s: TestServer,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const text = await fetch(`${s.url}/metrics`).then((r) => r.text());
  const family = (parsePrometheusText(text) as { name: string; metrics: CounterSample[] }[]).find(
    (f) => f.name === name,
  );
  return (family?.metrics ?? [])
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .reduce((sum, m) => sum + Number(m.value), 0);
}

interface CounterSample {
  value: string;
  labels?: Record<string, string>;
}
