import { describe, expect, it } from 'vitest';
import {
  chunkStep,
  InMemoryJobRepository,
  iterableReader,
  job,
  launchJob,
  parameters,
  partitionStep,
} from '../index.js';

class Boom extends Error {}

describe('local partitioning', () => {
  it('runs N partitions with their own contexts; a restart re-runs only the failed ones', async () => {
    const repo = new InMemoryJobRepository();
    const written: number[] = [];
    const failing = new Set([17]);
    let maxInFlight = 0;
    let inFlight = 0;
    const step = partitionStep('load', {
      gridSize: 4,
      concurrency: 2,
      partitioner: (n) =>
        Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, { from: i * 10, to: i * 10 + 10 }])),
      worker: (ctx) =>
        chunkStep<number, number>('load-worker', {
          reader: iterableReader(() => {
            const from = ctx.getNumber('from');
            return Array.from({ length: ctx.getNumber('to') - from }, (_, i) => from + i);
          }),
          processor: {
            process: async (n) => {
              inFlight++;
              maxInFlight = Math.max(maxInFlight, inFlight);
              await new Promise((ok) => setTimeout(ok, 1));
              inFlight--;
              return n;
            },
          },
          writer: {
            write: (items) => {
              if (items.some((i) => failing.has(i))) throw new Boom('bad');
              written.push(...items);
            },
          },
          chunkSize: 5,
        }),
    });
    const j = job('part').start(step).build();
    const first = await launchJob(j, parameters({ a: 1 }), { repository: repo });
    expect(first.status).toBe('FAILED');
    expect(maxInFlight).toBe(2);
    const steps1 = repo.stepsOf(first.id);
    expect(steps1.map((s) => `${s.stepName}=${s.status}`).sort()).toEqual([
      'load:p0=COMPLETED',
      'load:p1=FAILED',
      'load:p2=COMPLETED',
      'load:p3=COMPLETED',
      'load=FAILED',
    ]);
    expect(written.sort((a, b) => a - b)).toEqual([
      ...Array.from({ length: 15 }, (_, i) => i),
      ...Array.from({ length: 20 }, (_, i) => 20 + i),
    ]);
    failing.clear();
    const second = await launchJob(j, parameters({ a: 1 }), { repository: repo });
    expect(second.status).toBe('COMPLETED');
    const steps2 = repo.stepsOf(second.id);
    expect(steps2.map((s) => s.stepName).sort()).toEqual(['load', 'load:p1']);
    // p1 resumed from its committed chunk (10..14 written before), so only 15..19 are new.
    expect(steps2.find((s) => s.stepName === 'load:p1')!.readCount).toBe(5);
    expect(steps2.find((s) => s.stepName === 'load')!.writeCount).toBe(5);
    expect(written.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });
});
