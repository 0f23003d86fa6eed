import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPrismaClient } from '@batchyard/db';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/setup/database.js';
import { LocalScheduler } from '../src/schedules/local-scheduler.js';
import { startTestServer } from './harness.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/scripted-task.mjs', import.meta.url));
const MINUTE = 60_000;

describe('local schedules across restarts and several servers', () => {
  it('fires each fire time once: a restarted server and two racing servers never double-fire', async () => {
    const db = await createTestDatabase();
    const work = await mkdtemp(join(tmpdir(), 'batchyard-schedules-restart-'));
    const env = {
      BATCHYARD_PLATFORMS: JSON.stringify([{ name: 'local', type: 'local', workDir: work }]),
      BATCHYARD_SCHEDULE_CHECK_SECONDS: '0',
    };
    const first = await startTestServer(env, { db, keepDatabase: true });
    await first.request('POST', '/apps/task/scripted/1.0', {
      uri: 'local:scripted',
      command: ['node', SCRIPT],
    });
    await first.request('POST', '/tasks/definitions', { name: 'tick', definition: 'scripted' });
    const created = await first.request('POST', '/tasks/schedules', {
      scheduleName: 'every-minute',
      taskDefinitionName: 'tick',
      cron: '* * * * *',
      concurrencyPolicy: 'Allow',
    });
    expect(created.status).toBe(201);
    const t0 = new Date((Math.floor(Date.now() / MINUTE) + 2) * MINUTE);
    expect(await first.app.localScheduler.tick(t0)).toHaveLength(1);
    await first.close(); // the server goes away after firing t0

    // Restarted (and a second replica): t0 again fires nowhere; t0+1 fires on exactly one.
    const [a, b] = await Promise.all([
      startTestServer(env, { db, keepDatabase: true }),
      startTestServer(env, { db, keepDatabase: true }),
    ]);
    try {
      expect(await a.app.localScheduler.tick(new Date(t0.getTime() + 5000))).toEqual([]);
      const t1 = new Date(t0.getTime() + MINUTE);
      const raced = await Promise.all([
        a.app.localScheduler.tick(t1),
        b.app.localScheduler.tick(t1),
        a.app.localScheduler.tick(new Date(t1.getTime() + 1000)),
        b.app.localScheduler.tick(new Date(t1.getTime() + 2000)),
      ]);
      expect(raced.flat()).toHaveLength(1);
      const detail = await b.request<{ lastFireTime: string; recentExecutions: unknown[] }>(
        'GET',
        '/tasks/schedules/every-minute',
      );
      expect(detail.body.lastFireTime).toBe(t1.toISOString());
      expect(detail.body.recentExecutions).toHaveLength(2);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });

  it('the timer fires on its own with an injected clock', async () => {
    const work = await mkdtemp(join(tmpdir(), 'batchyard-schedules-timer-'));
    const s = await startTestServer({
      BATCHYARD_PLATFORMS: JSON.stringify([{ name: 'local', type: 'local', workDir: work }]),
      BATCHYARD_SCHEDULE_CHECK_SECONDS: '0',
    });
    try {
      await s.request('POST', '/apps/task/scripted/1.0', {
        uri: 'local:scripted',
        command: ['node', SCRIPT],
      });
      await s.request('POST', '/tasks/definitions', { name: 'tick', definition: 'scripted' });
      await s.request('POST', '/tasks/schedules', {
        scheduleName: 'timed',
        taskDefinitionName: 'tick',
        cron: '*/5 * * * *',
      });
      let now = new Date((Math.ceil(Date.now() / (5 * MINUTE)) + 1) * 5 * MINUTE);
      const plane = s.app.controlPlane;
      const prisma = createPrismaClient({ url: s.db.url, poolSize: 2 });
      const scheduler = new LocalScheduler({
        db: prisma,
        platforms: plane.platforms,
        launcher: plane.launcher,
        stop: (ids) => plane.executions.stop(ids),
        logger: pino({ level: 'silent' }),
        now: () => now,
        intervalMs: 50,
      });
      scheduler.start();
      const lastFire = async () =>
        (await s.request<{ lastFireTime: string | null }>('GET', '/tasks/schedules/timed')).body.lastFireTime;
      for (let i = 0; i < 100 && (await lastFire()) !== now.toISOString(); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await lastFire()).toBe(now.toISOString());
      now = new Date(now.getTime() + 5 * MINUTE);
      for (let i = 0; i < 100 && (await lastFire()) !== now.toISOString(); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await lastFire()).toBe(now.toISOString());
      await scheduler.stop();
      await prisma.$disconnect();
    } finally {
      await s.close();
    }
  });
});
