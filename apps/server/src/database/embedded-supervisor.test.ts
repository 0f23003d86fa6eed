import { describe, expect, it } from 'vitest';
import { EmbeddedSupervisor, type SupervisorOptions } from './embedded-supervisor.js';

/** A database whose restarts fail `failures` times, then succeed; exits are fired by the test. */
function fakeDatabase(failures: number) {
  let onExit: (reason: string) => void = () => undefined;
  const db = {
    restarts: 0,
    onUnexpectedExit: (l: (reason: string) => void) => {
      onExit = l;
    },
    restart: async () => {
      db.restarts++;
      if (db.restarts <= failures) throw new Error(`could not bind (${db.restarts})`);
    },
    die: (reason = 'PostgreSQL exited unexpectedly (SIGKILL)') => onExit(reason),
  };
  return db;
}

const silent = { warn: () => undefined, error: () => undefined, info: () => undefined };

function supervise(failures: number, maxAttempts: number, gate?: Promise<void>) {
  const db = fakeDatabase(failures);
  const waits: number[] = [];
  const gaveUp: string[] = [];
  const options: SupervisorOptions = {
    maxAttempts,
    log: silent,
    wait: async (ms) => {
      waits.push(ms);
      await gate;
    },
    onGiveUp: (reason) => gaveUp.push(reason),
  };
  return { db, waits, gaveUp, supervisor: new EmbeddedSupervisor(db, options) };
}

describe('EmbeddedSupervisor', () => {
  it('restarts a database that died, reporting "restarting" until it is back', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const { db, supervisor, gaveUp } = supervise(0, 5, gate);
    expect(supervisor.state()).toEqual({ status: 'up', restarts: 0 });
    db.die();
    expect(supervisor.state()).toMatchObject({ status: 'restarting', attempt: 1, maxAttempts: 5 });
    open();
    await supervisor.settled();
    expect(supervisor.state()).toEqual({ status: 'up', restarts: 1 });
    expect(db.restarts).toBe(1);
    expect(gaveUp).toEqual([]);
  });

  it('backs off between failed attempts and succeeds within the bound', async () => {
    const { db, supervisor, waits, gaveUp } = supervise(3, 5);
    db.die();
    await supervisor.settled();
    expect(db.restarts).toBe(4);
    expect(waits).toEqual([250, 500, 1000, 2000]);
    expect(supervisor.state()).toEqual({ status: 'up', restarts: 1 });
    expect(gaveUp).toEqual([]);
  });

  it('gives up after maxAttempts failures in a row, once, saying why', async () => {
    const { db, supervisor, gaveUp } = supervise(10, 3);
    db.die();
    await supervisor.settled();
    expect(db.restarts).toBe(3);
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]).toMatch(/SIGKILL.*after 3 attempts: could not bind \(3\)/);
    expect(supervisor.state()).toMatchObject({ status: 'failed' });
  });

  it('counts each outage separately and ignores exits after stop()', async () => {
    const { db, supervisor } = supervise(0, 2);
    db.die();
    await supervisor.settled();
    db.die();
    await supervisor.settled();
    expect(supervisor.state()).toEqual({ status: 'up', restarts: 2 });
    supervisor.stop();
    db.die();
    await supervisor.settled();
    expect(db.restarts).toBe(2);
  });
});
