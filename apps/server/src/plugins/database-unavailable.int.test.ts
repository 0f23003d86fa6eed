import { createServer, type Server } from 'node:net';
import { createPrismaClient, freePort } from '@batchyard/db';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/setup/database.js';
import { isDatabaseUnavailable } from './database-unavailable.js';

/** The errors as the real drivers raise them, not hand-made look-alikes. */
async function errorOf(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('isDatabaseUnavailable on real driver errors', () => {
  let db: TestDatabase;
  let refusedUrl: string;
  let resetUrl: string;
  let resetter: Server;
  beforeAll(async () => {
    db = await createTestDatabase();
    const refusedPort = await freePort(); // nothing listens there
    refusedUrl = `postgresql://u:p@127.0.0.1:${refusedPort}/x`;
    // Accepts and at once drops every connection: a database dying under its clients.
    resetter = createServer((s) => s.destroy());
    await new Promise<void>((r) => resetter.listen(0, '127.0.0.1', r));
    const address = resetter.address();
    resetUrl = `postgresql://u:p@127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/x`;
  });
  afterAll(async () => {
    resetter.close();
    await db.drop();
  });

  it('Prisma: connection refused and connection dropped are unavailable', async () => {
    for (const url of [refusedUrl, resetUrl]) {
      const prisma = createPrismaClient({ url });
      const err = await errorOf(() => prisma.taskDefinition.findMany());
      await prisma.$disconnect();
      expect(isDatabaseUnavailable(err), String(err)).toBe(true);
    }
  });

  it('node-pg: connection refused and connection dropped are unavailable', async () => {
    for (const url of [refusedUrl, resetUrl]) {
      const client = new pg.Client({ connectionString: url });
      const err = await errorOf(() => client.connect());
      expect(isDatabaseUnavailable(err), String(err)).toBe(true);
    }
  });

  it('a server shutting down its sessions (57P01) is unavailable', async () => {
    const victim = new pg.Client({ connectionString: db.url });
    await victim.connect();
    victim.on('error', () => undefined);
    const [{ pid }] = (await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [
      { pid: number },
    ];
    const pending = errorOf(() => victim.query('SELECT pg_sleep(30)'));
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await admin.end();
    expect(isDatabaseUnavailable(await pending)).toBe(true);
  });

  it('errors of the request or the code are not: a unique violation, a missing row, a plain bug', async () => {
    const prisma = createPrismaClient({ url: db.url });
    try {
      const data = { name: 'dup', dslText: 'x' };
      await prisma.taskDefinition.create({ data });
      expect(isDatabaseUnavailable(await errorOf(() => prisma.taskDefinition.create({ data })))).toBe(false);
      expect(
        isDatabaseUnavailable(
          await errorOf(() => prisma.taskDefinition.findUniqueOrThrow({ where: { name: 'none' } })),
        ),
      ).toBe(false);
      expect(isDatabaseUnavailable(new TypeError('x is undefined'))).toBe(false);
    } finally {
      await prisma.$disconnect();
    }
  });
});
