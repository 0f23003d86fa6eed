import { describe, expect, it } from 'vitest';
import {
  EXIT_CODES,
  InMemoryJobRepository,
  job,
  type LogFields,
  type Logger,
  runWorker,
  taskletStep,
} from '../index.js';

function capture(): Logger & { lines: { level: string; msg: string; fields?: LogFields }[] } {
  const lines: { level: string; msg: string; fields?: LogFields }[] = [];
  return {
    lines,
    info: (msg, fields) => lines.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => lines.push({ level: 'warn', msg, fields }),
    error: (msg, fields) => lines.push({ level: 'error', msg, fields }),
  };
}

const ok = job('ok')
  .start(taskletStep('t', () => 'FINISHED'))
  .build();
const bad = job('bad')
  .start(
    taskletStep('t', () => {
      throw new Error('nope');
    }),
  )
  .build();

describe('runWorker', () => {
  it('runs the named job, links the task and writes the exit code to exit_message', async () => {
    const repository = new InMemoryJobRepository();
    const log = capture();
    const code = await runWorker({
      argv: ['--job=ok', 'a=1'],
      env: { BATCHYARD_TASK_EXECUTION_ID: '7' },
      jobs: [ok, bad],
      repository,
      log,
      handleSignals: false,
    });
    expect(code).toBe(EXIT_CODES.COMPLETED);
    expect(repository.links()).toHaveLength(1);
    expect(repository.taskExitMessages.get(7)).toBe('COMPLETED');
  });

  it('maps outcomes to exit codes', async () => {
    const repository = new InMemoryJobRepository();
    const base = { env: {}, jobs: [ok, bad], repository, log: capture(), handleSignals: false };
    expect(await runWorker({ ...base, argv: ['--job=bad'] })).toBe(EXIT_CODES.FAILED);
    expect(await runWorker({ ...base, argv: ['--job=missing'] })).toBe(EXIT_CODES.CONFIGURATION);
    expect(await runWorker({ ...base, argv: [] })).toBe(EXIT_CODES.CONFIGURATION);
    expect(await runWorker({ ...base, argv: ['--job=ok', 'x=1'] })).toBe(EXIT_CODES.COMPLETED);
    expect(
      await runWorker({ ...base, argv: ['--job=ok', 'x=1'], env: { BATCHYARD_TASK_EXECUTION_ID: '5' } }),
    ).toBe(EXIT_CODES.REFUSED);
    expect(repository.taskExitMessages.get(5)).toBe('JOB_INSTANCE_ALREADY_COMPLETE');
    expect(await runWorker({ ...base, argv: ['--job=ok', 'x=2'], stop: { requested: true } })).toBe(
      EXIT_CODES.STOPPED,
    );
  });

  it('still runs when the task execution row does not exist, with a warning', async () => {
    const repository = new InMemoryJobRepository();
    repository.taskExecutionIds = new Set();
    const log = capture();
    const code = await runWorker({
      argv: [],
      env: { BATCHYARD_TASK_EXECUTION_ID: '9' },
      jobs: [ok],
      repository,
      log,
      handleSignals: false,
    });
    expect(code).toBe(0);
    expect(log.lines.some((l) => l.level === 'warn' && l.msg.includes('not linked'))).toBe(true);
  });
});
