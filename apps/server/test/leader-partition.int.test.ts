import { afterAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../../../test/e2e/k8s/tcp-proxy.js';
import { createTestDatabase } from '../../../test/setup/database.js';
import {
  childrenOf,
  getExecution,
  launch,
  localPlatformEnv,
  registerScripted,
  TERMINAL,
  until,
} from './composed-support.js';
import { startTestServer, type TestServer } from './harness.js';

const MINUTE = 60_000;
const futureMinute = () => new Date((Math.floor(Date.now() / MINUTE) + 2) * MINUTE);

/**
 * A partition between the leader and its database (PostgreSQL lease): a proxy that stops
 * forwarding without closing anything, as a dead link does. The leader stops leading before the
 * other replica starts; while cut off it holds a fenced transaction open, which does not keep the
 * successor from beginning; once the link heals, its late writes — a schedule fire, a composed
 * child launch — are refused: each happens once.
 */
describe('a leader partitioned from its database', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('stops leading before the other starts, and nothing is fired or launched twice', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const direct = new URL(db.url);
    const proxy = new TcpProxy(direct.hostname, Number(direct.port));
    await proxy.up();
    cleanups.push(() => proxy.down());
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);

    const env = {
      ...(await localPlatformEnv()),
      BATCHYARD_SCHEDULE_CHECK_SECONDS: '0',
      BATCHYARD_RESYNC_SECONDS: '1',
      BATCHYARD_LEADER_LEASE_SECONDS: '4',
      BATCHYARD_LEADER_RENEW_DEADLINE_SECONDS: '2',
      BATCHYARD_LEADER_RETRY_SECONDS: '0.5',
    };
    const events: string[] = [];
    const a: TestServer = await startTestServer(
      { ...env, BATCHYARD_REPLICA_ID: 'replica-a' },
      { db, keepDatabase: true, databaseUrl: viaProxy.toString() },
    );
    cleanups.push(() => a.close());
    a.app.leadership.onChange((leading) => events.push(leading ? 'a leads' : 'a stopped'));
    expect(a.app.leadership.state.leading).toBe(true);
    const b: TestServer = await startTestServer(
      { ...env, BATCHYARD_REPLICA_ID: 'replica-b' },
      { db, keepDatabase: true },
    );
    cleanups.push(() => b.close());
    b.app.leadership.onChange((leading) => events.push(leading ? 'b leads' : 'b stopped'));
    expect(b.app.leadership.state.leading).toBe(false);

    await registerScripted(b, ['work', 'next']);
    await b.request('POST', '/tasks/definitions', { name: 'flow', definition: 'work --sleep=1500 && next' });
    await b.request('POST', '/tasks/definitions', { name: 'tick', definition: 'next' });
    const schedule = { scheduleName: 'every', taskDefinitionName: 'tick', cron: '* * * * *' };
    expect((await b.request('POST', '/tasks/schedules', schedule)).status).toBe(201);
    // Launched on A, whose loops take the graph on; its first child runs while A is cut off.
    const flow = await launch(a, { name: 'flow' });
    const [first] = await childrenOf(a, flow.id);
    await until(
      () => getExecution(b, first!.id),
      (e) => e.status === 'RUNNING',
      'the first child to run',
    );

    // A fenced transaction open when the link dies: its lock on the fence row must not outlive it.
    let release = () => {};
    let holding = () => {};
    const locked = new Promise<void>((r) => (holding = r));
    const held = a.app.leadership
      .fence!.run('dispatch', async () => {
        holding(); // past the check: the fence row is locked for share until this transaction ends
        await new Promise<void>((r) => (release = r));
      })
      .catch(() => ({ landed: false as const })); // its commit never arrives: PostgreSQL ends it
    await locked;
    proxy.stall();
    release();
    const fireTime = futureMinute();
    // A's scheduler, still believing it leads, tries the fire through the dead link.
    const lateFire = a.app.localScheduler.tick(fireTime).catch(() => []);

    await until(
      async () => b.app.leadership.state.leading,
      (leading) => leading,
      'b to lead',
      60_000,
      100,
    );
    expect(events.indexOf('a stopped')).toBeGreaterThan(-1);
    expect(events.indexOf('a stopped')).toBeLessThan(events.indexOf('b leads'));
    const fired = await b.app.localScheduler.tick(fireTime);
    expect(fired).toHaveLength(1);

    // B carries the graph on: the first child ends (B finds it at its start-up reconcile), then next.
    const done = await until(
      () => getExecution(b, flow.id),
      (e) => TERMINAL.includes(e.status),
      'the composed task to end',
      60_000,
    );
    expect(done.status).toBe('COMPLETE');

    // The link heals: whatever A sent meanwhile arrives, and lands nowhere.
    proxy.heal();
    expect(await lateFire).toEqual([]);
    expect((await held).landed).toBe(false);
    expect(await a.app.localScheduler.tick(fireTime)).toEqual([]);
    await a.app.leadership.fence!.run('composed', async () => undefined).catch(() => undefined);
    expect(a.app.leadership.state.leading).toBe(false);

    expect(await b.prisma.scheduleFire.count()).toBe(1);
    const ticks = await b.request<{ items: unknown[] }>('GET', '/tasks/executions?task=tick&size=100');
    expect(ticks.body.items).toHaveLength(1);
    const children = await childrenOf(b, flow.id);
    expect(children.map((c) => c.taskName)).toEqual(['flow-work', 'flow-next']);
    for (const child of children) {
      const log = await b.request<string>('GET', `/tasks/executions/${child.id}/logs`);
      expect(String(log.body).match(/ started/g)).toHaveLength(1);
    }
    expect(events.filter((e) => e === 'b leads')).toHaveLength(1);
  });
});
