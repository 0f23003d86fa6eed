import { describe, expect, it } from 'vitest';
import {
  CHILD_EXECUTION_KEY,
  chunkStep,
  InMemoryJobRepository,
  iterableReader,
  JobParametersInvalidError,
  job,
  jobStep,
  ListWriter,
  launchJob,
  parameters,
  parametersValidator,
  runIdIncrementer,
  runWorker,
  silentLogger,
  taskletStep,
} from '../index.js';

const ok = () => taskletStep('t', () => 'FINISHED' as const);

describe('run-id incrementer', () => {
  it('gives each launch run.id = last + 1, so a COMPLETED job runs again', async () => {
    const repo = new InMemoryJobRepository();
    const j = job('daily').incrementer(runIdIncrementer()).start(ok()).build();
    const first = await launchJob(j, parameters({ region: 'eu' }), { repository: repo });
    const second = await launchJob(j, parameters({ region: 'eu' }), { repository: repo });
    expect(first.status).toBe('COMPLETED');
    expect(second.status).toBe('COMPLETED');
    expect(first.parameters.get('run.id')).toMatchObject({ value: 1, identifying: true });
    expect(second.parameters.get('run.id')?.value).toBe(2);
    expect(second.parameters.string('region')).toBe('eu');
    expect(second.instance.id).not.toBe(first.instance.id);
    // without the incrementer the same launch is refused
    const plain = job('plain').start(ok()).build();
    await launchJob(plain, parameters({ region: 'eu' }), { repository: repo });
    await expect(launchJob(plain, parameters({ region: 'eu' }), { repository: repo })).rejects.toThrow(
      /already complete/,
    );
  });

  it('a FAILED last execution is restarted with its run.id, then the next launch increments', async () => {
    const repo = new InMemoryJobRepository();
    let fail = true;
    const writer = new ListWriter<number>();
    const j = job('load')
      .incrementer(runIdIncrementer())
      .start(
        chunkStep<number, number>('s', {
          reader: iterableReader([1, 2, 3, 4]),
          processor: {
            process: (n) => {
              if (fail && n === 3) throw new Error('boom');
              return n;
            },
          },
          writer,
          chunkSize: 2,
        }),
      )
      .build();
    const failed = await launchJob(j, parameters(), { repository: repo });
    expect(failed.status).toBe('FAILED');
    fail = false;
    const restarted = await launchJob(j, parameters(), { repository: repo });
    expect(restarted.status).toBe('COMPLETED');
    expect(restarted.instance.id).toBe(failed.instance.id);
    expect(restarted.parameters.get('run.id')?.value).toBe(1);
    expect(writer.items).toEqual([1, 2, 3, 4]); // resumed after the committed chunk
    const next = await launchJob(j, parameters(), { repository: repo });
    expect(next.parameters.get('run.id')?.value).toBe(2);
  });

  it('continues from a run.id given as text (a CLI argument) and lets a given run.id win', async () => {
    const repo = new InMemoryJobRepository();
    const j = job('x').incrementer(runIdIncrementer()).start(ok()).build();
    const given = await launchJob(j, parameters({ 'run.id': 41 }), { repository: repo });
    expect(given.parameters.get('run.id')?.value).toBe(41);
    const next = await launchJob(j, parameters(), { repository: repo });
    expect(next.parameters.get('run.id')?.value).toBe(42);
    expect(
      runIdIncrementer()
        .getNext(parameters({ 'run.id': '7' }))
        .get('run.id')?.value,
    ).toBe(8);
  });
});

describe('parameters validator', () => {
  it('refuses missing required and unknown keys before anything is created', async () => {
    const repo = new InMemoryJobRepository();
    const j = job('v')
      .validator(parametersValidator({ required: ['input', 'day'], optional: ['chunkSize'] }))
      .start(ok())
      .build();
    const error = await launchJob(j, parameters({ day: 'mon', colour: 'red' }), { repository: repo }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(JobParametersInvalidError);
    expect((error as JobParametersInvalidError).code).toBe('JOB_PARAMETERS_INVALID');
    expect((error as Error).message).toBe(
      "job 'v' parameters are invalid: missing required 'input'; unknown 'colour' (allowed: chunkSize, day, input)",
    );
    expect((error as JobParametersInvalidError).missing).toEqual(['input']);
    expect(await repo.getLastJobExecution('v')).toBeUndefined();
    const fine = await launchJob(j, parameters({ day: 'mon', input: '/x', chunkSize: 5 }), {
      repository: repo,
    });
    expect(fine.status).toBe('COMPLETED');
  });

  it('the worker exits 2 (configuration) on invalid parameters, before any execution exists', async () => {
    const repository = new InMemoryJobRepository();
    const j = job('cli-v')
      .validator(parametersValidator({ required: ['input'] }))
      .start(ok())
      .build();
    const code = await runWorker({
      argv: ['day=mon'],
      env: {},
      jobs: [j],
      repository,
      log: silentLogger,
      handleSignals: false,
    });
    expect(code).toBe(2);
    expect(await repository.getLastJobExecution('cli-v')).toBeUndefined();
  });

  it('without optional keys any extra key is accepted; the incrementer key is always accepted', async () => {
    const repo = new InMemoryJobRepository();
    const open = job('o')
      .validator(parametersValidator({ required: ['a'] }))
      .start(ok())
      .build();
    expect((await launchJob(open, parameters({ a: 1, b: 2 }), { repository: repo })).status).toBe(
      'COMPLETED',
    );
    const inc = job('i')
      .incrementer(runIdIncrementer())
      .validator(parametersValidator({ required: ['a'], optional: [] }))
      .start(ok())
      .build();
    expect((await launchJob(inc, parameters({ a: 1 }), { repository: repo })).status).toBe('COMPLETED');
    expect(() => parametersValidator({ required: ['a'], optional: ['a'] })).toThrow(
      /both required and optional/,
    );
  });
});

describe('job step', () => {
  it('runs the child job with the parent parameters; its status and exit status are the step’s', async () => {
    const repo = new InMemoryJobRepository();
    const seen: unknown[] = [];
    const child = job('child')
      .start(
        taskletStep('c', ({ jobExecution }) => {
          seen.push(jobExecution.parameters.string('day'));
          return 'FINISHED';
        }),
      )
      .build();
    const parent = job('parent').start(jobStep('run-child', child)).next(ok()).build();
    const ex = await launchJob(parent, parameters({ day: 'mon' }), { repository: repo });
    expect(ex.status).toBe('COMPLETED');
    expect(seen).toEqual(['mon']);
    const step = repo.stepsOf(ex.id).find((s) => s.stepName === 'run-child')!;
    const childExecution = await repo.getLastJobExecution('child');
    expect(step.context.get(CHILD_EXECUTION_KEY)).toBe(childExecution!.id);
    expect(step.exitStatus.code).toBe('COMPLETED');
  });

  it('a failed child fails the step; restarting the parent restarts the child instance', async () => {
    const repo = new InMemoryJobRepository();
    let fail = true;
    const writer = new ListWriter<number>();
    const child = job('child')
      .start(
        chunkStep<number, number>('load', {
          reader: iterableReader([1, 2, 3]),
          processor: {
            process: (n) => {
              if (fail && n === 2) throw new Error('bad row');
              return n;
            },
          },
          writer,
          chunkSize: 1,
        }),
      )
      .build();
    const parent = job('parent')
      .start(jobStep('run-child', child, { parameters: () => parameters({ batch: 'b1' }) }))
      .build();
    const first = await launchJob(parent, parameters({ day: 'mon' }), { repository: repo });
    expect(first.status).toBe('FAILED');
    const failedStep = repo.stepsOf(first.id)[0]!;
    expect(failedStep.exitStatus.description).toMatch(/child job 'child' \(execution \d+\) ended FAILED/);
    const firstChild = await repo.getLastJobExecution('child');
    fail = false;
    const second = await launchJob(parent, parameters({ day: 'mon' }), { repository: repo });
    expect(second.status).toBe('COMPLETED');
    const secondChild = await repo.getLastJobExecution('child');
    expect(secondChild!.instance.id).toBe(firstChild!.instance.id); // same child instance, restarted
    expect(writer.items).toEqual([1, 2, 3]);
  });

  it('a stop stops the child and the parent', async () => {
    const repo = new InMemoryJobRepository();
    const stop = { requested: false };
    const child = job('child')
      .start(
        taskletStep('c', () => {
          stop.requested = true;
          return 'CONTINUABLE';
        }),
      )
      .build();
    const parent = job('parent').start(jobStep('run-child', child)).build();
    const ex = await launchJob(parent, parameters({ day: 'tue' }), { repository: repo, stop });
    expect(ex.status).toBe('STOPPED');
    expect((await repo.getLastJobExecution('child'))!.status).toBe('STOPPED');
  });
});

describe('run-id incrementer and running executions', () => {
  it('a launch while the latest execution runs is refused, not a second instance', async () => {
    const repo = new InMemoryJobRepository();
    let release: () => void = () => {};
    const gate = new Promise<void>((ok) => {
      release = ok;
    });
    const j = job('long')
      .incrementer(runIdIncrementer())
      .start(taskletStep('wait', async () => gate.then(() => 'FINISHED' as const)))
      .build();
    const first = launchJob(j, parameters(), { repository: repo });
    while (!(await repo.getLastJobExecution('long'))) await new Promise((ok) => setImmediate(ok));
    await expect(launchJob(j, parameters(), { repository: repo })).rejects.toThrow(/already running/);
    release();
    expect((await first).status).toBe('COMPLETED');
    const next = await launchJob(j, parameters({ extra: 'x' }), { repository: repo });
    expect(next.parameters.get('run.id')?.value).toBe(2);
  });

  it('non-identifying parameters of the previous run do not carry over', async () => {
    const repo = new InMemoryJobRepository();
    const j = job('nc').incrementer(runIdIncrementer()).start(ok()).build();
    await launchJob(j, parameters().with('failAt', 3, { identifying: false }), { repository: repo });
    const next = await launchJob(j, parameters(), { repository: repo });
    expect(next.parameters.has('failAt')).toBe(false);
  });
});
