import { createPrismaClient, executions } from '@batchyard/db';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/setup/database.js';
import { COMPOSED_PLATFORM, ComposedOrchestrator } from '../src/composed/orchestrator.js';
import {
  childrenOf,
  finished,
  launch,
  localPlatformEnv,
  registerScripted,
  until,
} from './composed-support.js';
import { startTestServer } from './harness.js';

describe('composed task across a server restart', () => {
  it('resumes a graph whose split was running when the server went away, launching each child once', async () => {
    const db = await createTestDatabase();
    const env = await localPlatformEnv();
    const first = await startTestServer(env, { db, keepDatabase: true });
    await registerScripted(first, ['extract', 'clean', 'enrich', 'load']);
    await first.request('POST', '/tasks/definitions', {
      name: 'etl',
      definition: 'extract && <clean --sleep=2500 || enrich --sleep=2500> && load',
    });
    const parent = await launch(first, { name: 'etl' });
    await until(
      () => childrenOf(first, parent.id),
      (cs) => cs.filter((c) => c.status === 'RUNNING').length === 2,
      'both branches to run',
    );
    await first.close(); // the task processes keep running; nobody advances the graph

    const second = await startTestServer(env, { db });
    try {
      expect(await finished(second, parent.id)).toMatchObject({ status: 'COMPLETE', exitCode: 0 });
      const children = await childrenOf(second, parent.id);
      expect(children.map((c) => c.taskName).sort()).toEqual([
        'etl-clean',
        'etl-enrich',
        'etl-extract',
        'etl-load',
      ]);
      expect(children.every((c) => c.status === 'COMPLETE')).toBe(true);
      // A further re-plan (as at the next start-up) launches nothing.
      await second.app.controlPlane.reconciler.reconcileAll();
      await new Promise((r) => setTimeout(r, 300));
      expect(await childrenOf(second, parent.id)).toHaveLength(4);
    } finally {
      await second.close();
    }
  });
});

describe('composed task advanced by several orchestrators at once', () => {
  it('launches each child once: the launch transaction, not memory, is the guard', async () => {
    const s = await startTestServer(await localPlatformEnv());
    const prisma = createPrismaClient({ url: s.db.url, poolSize: 20 });
    try {
      await registerScripted(s, ['a', 'b', 'c', 'd']);
      // Slow branches: the bound is checked while the first two still run (a fast child ending
      // would rightly free its slot for c before the assertion reads the children).
      await s.request('POST', '/tasks/definitions', {
        name: 'fan',
        definition: '<a --sleep=5000 || b --sleep=5000 || c --sleep=5000> && d',
      });
      const parent = await executions.insertExecution(prisma, {
        taskName: 'fan',
        status: 'RUNNING',
        arguments: [],
        properties: {},
        platformName: COMPOSED_PLATFORM,
        platformType: 'composed',
      });
      // Separate instances share no in-process serialisation, like separate servers.
      const orchestrators = Array.from(
        { length: 6 },
        () =>
          new ComposedOrchestrator(prisma, s.app.controlPlane.launcher, pino({ level: 'silent' }), {
            maxConcurrentChildren: 2,
          }),
      );
      await Promise.all(orchestrators.map((o) => o.advance(parent.id)));
      const launched = await childrenOf(s, parent.id);
      expect(launched.map((c) => c.taskName).sort()).toEqual(['fan-a', 'fan-b']);
      expect(await finished(s, parent.id)).toMatchObject({ status: 'COMPLETE' });
      const all = (await childrenOf(s, parent.id)).map((c) => c.taskName).sort();
      expect(all).toEqual(['fan-a', 'fan-b', 'fan-c', 'fan-d']);
    } finally {
      await prisma.$disconnect();
      await s.close();
    }
  });
});
