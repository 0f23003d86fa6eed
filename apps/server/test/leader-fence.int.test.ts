import { leaderFence } from '@batchyard/db';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/setup/database.js';
import {
  childrenOf,
  type Execution,
  getExecution,
  launch,
  localPlatformEnv,
  registerScripted,
  TERMINAL,
  until,
} from './composed-support.js';
import { counterValue, startTestServer, type TestServer } from './harness.js';

const MINUTE = 60_000;
const futureMinute = () => new Date((Math.floor(Date.now() / MINUTE) + 2) * MINUTE);

/** Warn lines of a server's log, parsed (the fence's "write refused" among them). */
function capturedLogger() {
  const lines: { msg: string; loop?: string }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/**
 * Fencing: replica A leads, then loses its lease to replica B without noticing (its retry period
 * is a minute, so it keeps running its loops — a partition or a stalled process looks the same).
 * Every write A's loops then try — a queue dispatch claim, a reconcile status write, a schedule
 * fire claim, a composed child launch — is refused: nothing lands. B, leading, makes each of
 * them once.
 */
describe('a deposed leader is fenced', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it("refuses the deposed leader's dispatch, reconcile, schedule fire and composed child launch", async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const platform = await localPlatformEnv();
    const env = {
      ...platform,
      BATCHYARD_PLATFORMS: JSON.stringify([
        { ...JSON.parse(platform.BATCHYARD_PLATFORMS!)[0], maxConcurrent: 2 },
      ]),
      BATCHYARD_SCHEDULE_CHECK_SECONDS: '0',
      BATCHYARD_RESYNC_SECONDS: '1',
      // A renews once a minute: between two renewals it does not know it was deposed.
      BATCHYARD_LEADER_LEASE_SECONDS: '600',
      BATCHYARD_LEADER_RENEW_DEADLINE_SECONDS: '100',
      BATCHYARD_LEADER_RETRY_SECONDS: '60',
    };
    const logA = capturedLogger();
    const a: TestServer = await startTestServer(
      { ...env, BATCHYARD_REPLICA_ID: 'replica-a' },
      { db, keepDatabase: true, deps: { logger: logA.logger } },
    );
    cleanups.push(() => a.close());
    expect(a.app.leadership.state.leading).toBe(true);

    await registerScripted(a, ['work', 'next']);
    for (const [name, definition] of [
      ['slow', 'work --sleep=600000'],
      ['quick', 'next'],
      ['flow', 'work --sleep=600000 && next'],
    ]) {
      expect((await a.request('POST', '/tasks/definitions', { name, definition })).status).toBe(201);
    }
    // Two slots: slow and flow's first child take them, quick waits in the queue.
    const slow = await launch(a, { name: 'slow' });
    const flow = await launch(a, { name: 'flow' });
    const quick = await launch(a, { name: 'quick' });
    expect(quick.status).toBe('QUEUED');
    const [first] = await childrenOf(a, flow.id);
    for (const id of [slow.id, first!.id]) {
      await until(
        () => getExecution(a, id),
        (e) => e.status === 'RUNNING',
        `execution ${id} to run`,
      );
    }
    expect(
      (
        await a.request('POST', '/tasks/schedules', {
          scheduleName: 'every',
          taskDefinitionName: 'quick',
          cron: '* * * * *',
        })
      ).status,
    ).toBe(201);

    // B takes the lease over (as its election would once A's lease ran out) and begins a term.
    await a.prisma.$executeRaw`
      UPDATE leader_lease SET holder = 'replica-b', transitions = transitions + 1, renew_time = now()`;
    await leaderFence.beginTerm(a.prisma, 'batchyard-leader', 'replica-b', 5_000);
    expect(a.app.leadership.state.leading).toBe(true); // A has not noticed

    // What A's loops now meet: flow's first child ended (a slot is free, the graph can move on),
    // slow's process exits, a schedule is due.
    await a.prisma.$executeRaw`
      UPDATE batchyard_task_execution SET status = 'COMPLETE', exit_code = 0, end_time = now()
      WHERE id = ${first!.id}`;
    await a.app.controlPlane.platforms.resolve('local').stop(`local-${slow.id}`);
    const fireTime = futureMinute();
    expect(await a.app.localScheduler.tick(fireTime)).toEqual([]);

    const refused = (loop: string) => counterValue(a, 'batchyard_leader_fenced_writes_total', { loop });
    for (const loop of ['dispatch', 'reconcile', 'composed', 'schedules']) {
      await until(
        () => refused(loop),
        (n) => n >= 1,
        `a refused ${loop} write`,
      );
    }
    // A's attempts came and went: nothing of theirs landed.
    await until(
      () => refused('reconcile'),
      (n) => n >= 3,
      'A to retry its reconcile',
    );
    expect((await getExecution(a, quick.id)).status).toBe('QUEUED');
    expect((await getExecution(a, slow.id)).status).toBe('RUNNING');
    expect((await childrenOf(a, flow.id)).map((c) => c.taskName)).toEqual(['flow-work']);
    expect(await a.prisma.scheduleFire.count()).toBe(0);
    // Logged once per loop, not once per refused write.
    const warned = logA.lines.filter((l) => l.msg.startsWith('write refused'));
    expect(warned.map((l) => l.loop).sort()).toEqual(['composed', 'dispatch', 'reconcile', 'schedules']);

    // B, the leader now, makes each of those writes once.
    const b: TestServer = await startTestServer(
      { ...env, BATCHYARD_REPLICA_ID: 'replica-b' },
      { db, keepDatabase: true },
    );
    cleanups.push(() => b.close());
    expect(b.app.leadership.state.leading).toBe(true);
    const fired = await b.app.localScheduler.tick(fireTime);
    expect(fired).toHaveLength(1);
    expect(await a.app.localScheduler.tick(fireTime)).toEqual([]);
    const ended = (id: number) =>
      until(
        () => getExecution(b, id),
        (e) => TERMINAL.includes(e.status),
        `execution ${id} to end`,
      );
    expect((await ended(quick.id)).status).toBe('COMPLETE');
    expect((await ended(fired[0]!.executionId!)).status).toBe('COMPLETE');
    expect(TERMINAL).toContain((await ended(slow.id)).status);
    expect((await ended(flow.id)).status).toBe('COMPLETE');
    const children: Execution[] = await childrenOf(b, flow.id);
    expect(children.map((c) => c.taskName)).toEqual(['flow-work', 'flow-next']);
    const log = await b.request<string>('GET', `/tasks/executions/${quick.id}/logs`);
    expect(String(log.body).match(/ started/g)).toHaveLength(1);
    expect(await a.prisma.scheduleFire.count()).toBe(1);
    expect(await counterValue(b, 'batchyard_leader_fenced_writes_total', {})).toBe(0);
  });
});
