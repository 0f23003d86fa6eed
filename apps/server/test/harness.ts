import { createPrismaClient } from '@batchyard/db';
import type { FastifyInstance } from 'fastify';
import parsePrometheusText from 'parse-prometheus-text-format';
import { pino } from 'pino';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { buildApp } from '../src/app.js';
import { type Config, loadConfig } from '../src/config.js';

export interface TestServer {
  url: string;
  app: FastifyInstance;
  db: TestDatabase;
  config: Readonly<Config>;
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** A real server on a real port over a fresh, migrated database. */
export async function startTestServer(
  env: NodeJS.ProcessEnv = {},
  options: { db?: TestDatabase; keepDatabase?: boolean } = {},
): Promise<TestServer> {
  const db = options.db ?? (await createTestDatabase());
  const config = loadConfig({
    DATABASE_URL: db.url,
    BATCHYARD_PORT: '0',
    BATCHYARD_LOG_LEVEL: 'silent',
    ...env,
  });
  const prisma = createPrismaClient({ url: db.url, poolSize: 10 });
  const app = await buildApp({
    config,
    prisma,
    databaseUrl: db.url,
    embeddedDatabase: false,
    logger: pino({ level: 'silent' }),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    app,
    db,
    config,
    async request<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
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
