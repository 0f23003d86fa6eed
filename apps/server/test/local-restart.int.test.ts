import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPrismaClient, executions } from '@batchyard/db';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/setup/database.js';
import { until } from '../../../test/setup/until.js';
import { startTestServer, type TestServer } from './harness.js';

interface Execution {
  id: number;
  status: string;
  exitCode: number | null;
  reason: string | null;
}

const SCRIPT = fileURLToPath(new URL('./fixtures/scripted-task.mjs', import.meta.url));

/** A server on a local account with the task `job`; its database outlives it for a second one. */
async function firstServer() {
  const db = await createTestDatabase();
  const work = await mkdtemp(join(tmpdir(), 'batchyard-restart-'));
  const env = { BATCHYARD_PLATFORMS: JSON.stringify([{ name: 'local', type: 'local', workDir: work }]) };
  const first: TestServer = await startTestServer(env, { db, keepDatabase: true });
  await first.request('POST', '/apps/task/scripted/1.0', {
    uri: 'local:scripted',
    command: ['node', SCRIPT],
  });
  await first.request('POST', '/tasks/definitions', { name: 'job', definition: 'scripted' });
  return { db, work, env, first };
}

describe('local platform across a server restart', () => {
  it('catches up executions that ended while the server was down, and marks vanished ones LOST', async () => {
    const { db, work, env, first } = await firstServer();
    const launch = (args: string[]) =>
      first
        .request<Execution>('POST', '/tasks/executions', { name: 'job', arguments: args })
        .then((r) => r.body.id);
    const ok = await launch(['--sleep=1500']);
    const failing = await launch(['--sleep=1500', '--exit=4']);
    const vanishing = await launch(['--sleep=60000']);
    for (const id of [ok, failing, vanishing]) {
      await until(
        () => first.request<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body),
        (e) => e.status === 'RUNNING',
        'RUNNING',
      );
    }
    await first.close(); // the server goes away; its task processes do not

    // While it is down: two finish on their own, one is killed and its files removed.
    const pid = Number(
      (
        await import('node:fs/promises').then((fs) =>
          fs.readFile(join(work, `local-${vanishing}`, 'pid'), 'utf8'),
        )
      ).trim(),
    );
    process.kill(-pid, 'SIGKILL');
    await rm(join(work, `local-${vanishing}`), { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 2500));

    const second = await startTestServer(env, { db });
    try {
      const get = (id: number) =>
        second.request<Execution>('GET', `/tasks/executions/${id}`).then((r) => r.body);
      expect(
        await until(
          () => get(ok),
          (e) => e.status !== 'RUNNING',
          'catch-up',
        ),
      ).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
      expect(await get(failing)).toMatchObject({ status: 'FAILED', exitCode: 4 });
      expect(await get(vanishing)).toMatchObject({ status: 'LOST', reason: 'PlatformResourceGone' });
    } finally {
      await second.close();
    }
  });

  it('finishes a stop that landed between claim and launch when the server died in that window', async () => {
    const { db, env, first } = await firstServer();
    await first.close();
    // What the dead server left: a claimed row, stopped before its process was recorded.
    const prisma = createPrismaClient({ url: db.url, poolSize: 1 });
    const row = await executions.insertExecution(prisma, {
      taskName: 'job',
      status: 'STOPPING',
      arguments: ['--sleep=60000'],
      properties: {},
      platformName: 'local',
      platformType: 'local',
    });
    await prisma.$disconnect();

    const second = await startTestServer(env, { db });
    try {
      const done = await until(
        () => second.request<Execution>('GET', `/tasks/executions/${row.id}`).then((r) => r.body),
        (e) => e.status !== 'STOPPING',
        'the stop to finish',
      );
      expect(done).toMatchObject({ status: 'STOPPED' });
    } finally {
      await second.close();
    }
  });
});
