import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';

/**
 * The launch statement (batchyard_launch) re-checks the definition and app rows the launcher has
 * cached, so an edit made anywhere — here straight in the database, as another replica would — is
 * never launched stale; and the response is the row the statements returned.
 */
interface Execution {
  id: number;
  status: string;
  externalExecutionId: string | null;
  manifest: { command: string[] } | null;
  queuePosition: number | null;
}

const SCRIPT = fileURLToPath(new URL('./fixtures/scripted-task.mjs', import.meta.url));

describe('the launch statement', () => {
  let s: TestServer;
  const launch = (name: string) => s.request<Execution>('POST', '/tasks/executions', { name });

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'batchyard-launch-statement-'));
    s = await startTestServer({
      BATCHYARD_PLATFORMS: JSON.stringify([
        { name: 'local', type: 'local', workDir: work, maxConcurrent: 5 },
      ]),
    });
    await s.request('POST', '/apps/task/scripted/1.0', {
      uri: 'local:scripted',
      command: ['node', SCRIPT],
      springContract: false,
    });
    await s.request('POST', '/tasks/definitions', { name: 'edited', definition: 'scripted --print=one' });
  });
  afterAll(() => s.close());

  it('answers with the launched row: PENDING, its process name and manifest, no second read needed', async () => {
    const first = await launch('edited');
    expect(first.status).toBe(201);
    expect(first.body.status).toMatch(/^(PENDING|RUNNING|COMPLETE)$/);
    expect(first.body.externalExecutionId).toBe(`local-${first.body.id}`);
    expect(first.body.manifest?.command).toContain('--print=one');
  });

  it('launches the definition as it is now after another replica edited it (cached read re-checked)', async () => {
    await launch('edited'); // the definition is cached in this process now
    // Another replica's edit: this process's cache is not told.
    await s.prisma.$executeRaw`
      UPDATE task_definition SET dsl_text = 'scripted --print=two', version = version + 1 WHERE name = 'edited'`;
    const after = await launch('edited');
    expect(after.status).toBe(201);
    expect(after.body.manifest?.command).toContain('--print=two');
    expect(after.body.manifest?.command).not.toContain('--print=one');
  });

  it('refuses a definition another replica deleted, and an app whose default version moved', async () => {
    await s.request('POST', '/tasks/definitions', { name: 'doomed', definition: 'scripted' });
    expect((await launch('doomed')).status).toBe(201);
    await s.prisma.$executeRaw`DELETE FROM task_definition WHERE name = 'doomed'`;
    expect((await launch('doomed')).status).toBe(404);

    // A second version made the default behind this process's back (only the flag changes, as a raw
    // UPDATE from another tool would): the next launch runs it.
    await s.request('POST', '/apps/task/scripted/2.0', {
      uri: 'local:scripted2',
      command: ['node', SCRIPT, '--version2'],
      springContract: false,
    });
    await s.prisma.$executeRaw`
      UPDATE app_registration SET is_default = (version = '2.0') WHERE name = 'scripted'`;
    const v2 = await launch('edited');
    expect(v2.status).toBe(201);
    expect(v2.body.manifest?.command).toContain('--version2');
  });
});
