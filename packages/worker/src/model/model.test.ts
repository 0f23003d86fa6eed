import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../cli/args.js';
import { parseEnv } from '../cli/env.js';
import { ExitStatus, JobConfigurationError, parameters, upgradeStatus } from '../index.js';

describe('BatchStatus and ExitStatus', () => {
  it.each([
    ['STARTING', 'COMPLETED', 'COMPLETED'],
    ['STARTED', 'COMPLETED', 'COMPLETED'],
    ['COMPLETED', 'STARTED', 'COMPLETED'],
    ['STARTED', 'FAILED', 'FAILED'],
    ['FAILED', 'COMPLETED', 'FAILED'],
    ['STOPPED', 'FAILED', 'FAILED'],
    ['ABANDONED', 'STOPPED', 'ABANDONED'],
    ['STARTING', 'STARTED', 'STARTED'],
  ] as const)('upgrade %s → %s = %s', (a, b, expected) => {
    expect(upgradeStatus(a, b)).toBe(expected);
  });

  it('combines exit statuses by severity', () => {
    expect(ExitStatus.COMPLETED.and(ExitStatus.FAILED).code).toBe('FAILED');
    expect(ExitStatus.FAILED.and(ExitStatus.STOPPED).code).toBe('FAILED');
    expect(ExitStatus.EXECUTING.and(ExitStatus.NOOP).code).toBe('NOOP');
    expect(ExitStatus.UNKNOWN.and(new ExitStatus('CUSTOM')).code).toBe('CUSTOM');
    expect(ExitStatus.COMPLETED.and(new ExitStatus('COMPLETED WITH SKIPS')).code).toBe(
      'COMPLETED WITH SKIPS',
    );
    const both = new ExitStatus('FAILED', 'a').and(new ExitStatus('COMPLETED', 'b'));
    expect(both.toString()).toBe('FAILED: a; b');
  });
});

describe('job parameters', () => {
  it('keys the instance on identifying parameters only, in any order', () => {
    const a = parameters({ x: 1, y: 'b' }).with('z', true, { identifying: false });
    const b = parameters({ y: 'b', x: 1 });
    expect(a.jobKey()).toBe(b.jobKey());
    expect(a.jobKey()).toMatch(/^[0-9a-f]{32}$/);
    // Spring Batch 5's DefaultJobKeyGenerator: MD5 of `name={value=…, type=class …, identifying=true};`
    expect(a.jobKey()).toBe(
      createHash('md5')
        .update(
          'x={value=1, type=class java.lang.Long, identifying=true};y={value=b, type=class java.lang.String, identifying=true};',
        )
        .digest('hex'),
    );
    expect(a.jobKey(6)).not.toBe(a.jobKey(5));
    expect(parameters({ x: '1' }).jobKey()).not.toBe(parameters({ x: 1 }).jobKey());
    expect(a.canonical()).toBe('x=NUMBER:1;y=STRING:b;');
  });

  it('parses Spring Batch 5 style arguments and options', () => {
    const {
      job,
      module,
      parameters: p,
    } = parseArgs([
      'rows=1000,number',
      'day=2026-01-02,date,false',
      'note=a,b',
      'csv=x,y,string',
      'flag=true,java.lang.Boolean',
      'plain=hello',
      '--job=settlement',
      '--module=./jobs.js',
      '--chunkSize=500',
      '--verbose',
    ]);
    expect(job).toBe('settlement');
    expect(module).toBe('./jobs.js');
    expect(p.get('rows')).toEqual({ value: 1000, type: 'NUMBER', identifying: true });
    expect(p.get('day')).toMatchObject({ type: 'DATE', identifying: false });
    expect(p.date('day').toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(p.get('note')).toMatchObject({ value: 'a,b', type: 'STRING' });
    expect(p.get('csv')).toMatchObject({ value: 'x,y', type: 'STRING' });
    expect(p.get('flag')).toMatchObject({ value: true, type: 'BOOLEAN' });
    expect(p.get('plain')).toMatchObject({ value: 'hello', identifying: true });
    expect(p.get('chunkSize')).toEqual({ value: '500', type: 'STRING', identifying: false });
    expect(p.number('chunkSize')).toBe(500);
    expect(p.get('verbose')).toMatchObject({ value: true, identifying: false });
    expect(() => parseArgs(['oops'])).toThrow(JobConfigurationError);
    expect(() => parseArgs(['n=abc,number'])).toThrow(/not a NUMBER/);
  });

  it('parses the environment contract and never echoes the database URL', () => {
    const env = parseEnv({
      BATCHYARD_TASK_EXECUTION_ID: '42',
      BATCHYARD_DATABASE_URL: 'postgres://u:secret@h/db',
    });
    expect(env.taskExecutionId).toBe(42);
    expect(() => parseEnv({ BATCHYARD_TASK_EXECUTION_ID: 'x', BATCHYARD_DATABASE_URL: 'p' })).toThrow(
      /positive integer/,
    );
    try {
      parseEnv({});
    } catch (e) {
      expect(String(e)).not.toContain('secret');
    }
  });
});
