import { describe, expect, it } from 'vitest';
import type { Job } from '../flow/builder.js';
import {
  chunkStep,
  InMemoryJobRepository,
  iterableReader,
  job,
  launchJob,
  type PartitionLaunchRequest,
  parameters,
  partitionStep,
  remotePartitionHandler,
  runPartitionExecution,
} from '../index.js';

describe('remote partitioning contract', () => {
  it('hands each partition to the launcher and waits for the repository to show it finished', async () => {
    const repo = new InMemoryJobRepository();
    const written: number[] = [];
    const requests: PartitionLaunchRequest[] = [];
    let theJob!: Job;
    // Plays the control plane + pod: "launches" by running the partition in-process, later.
    const launcher = {
      launch: async (req: PartitionLaunchRequest) => {
        requests.push(req);
        setTimeout(() => void runPartitionExecution(theJob, req.stepExecutionId, { repository: repo }), 1);
      },
    };
    theJob = job('remote')
      .start(
        partitionStep('load', {
          gridSize: 3,
          partitioner: (n) =>
            Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, { base: i * 100 }])),
          worker: (ctx) =>
            chunkStep<number, number>('load', {
              reader: iterableReader(() => [1, 2, 3].map((x) => ctx.getNumber('base') + x)),
              writer: {
                write: (items) => {
                  written.push(...items);
                },
              },
              chunkSize: 2,
            }),
          handler: remotePartitionHandler({ launcher, repository: repo, pollMs: 2 }),
        }),
      )
      .build();
    const ex = await launchJob(theJob, parameters({ a: 1 }), { repository: repo });
    expect(ex.status).toBe('COMPLETED');
    expect(requests.map((r) => r.partitionName).sort()).toEqual(['p0', 'p1', 'p2']);
    expect(requests[0]).toMatchObject({ jobName: 'remote', jobExecutionId: ex.id });
    expect(written.sort((a, b) => a - b)).toEqual([1, 2, 3, 101, 102, 103, 201, 202, 203]);
    const manager = repo.stepsOf(ex.id).find((s) => s.stepName === 'load')!;
    expect(manager).toMatchObject({ status: 'COMPLETED', readCount: 9, writeCount: 9, commitCount: 6 });
    // Re-running a finished partition is a no-op (a duplicate launch is harmless).
    const again = await runPartitionExecution(theJob, requests[0]!.stepExecutionId, { repository: repo });
    expect(again.status).toBe('COMPLETED');
    expect(written).toHaveLength(9);
  });
});
