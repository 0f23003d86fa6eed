import { describe, expect, it } from 'vitest';
import {
  cronJobName,
  dns1123LabelError,
  dns1123SubdomainError,
  jobName,
  labelValueError,
  qualifiedNameError,
  sanitizeLabelValue,
  shortHash,
} from './names.js';

describe('DNS-1123 validation', () => {
  it.each([
    ['etl', undefined],
    ['a-b-1', undefined],
    ['', 'must not be empty'],
    ['Etl', 'lower case'],
    ['-etl', 'start and end'],
    ['etl_1', 'lower case'],
    ['a.b', 'lower case'],
    ['x'.repeat(64), 'no more than 63 characters (is 64)'],
  ])('label %j', (value, why) => {
    const error = dns1123LabelError(value);
    if (why === undefined) expect(error).toBeUndefined();
    else expect(error).toContain(why);
  });

  it('subdomains allow dots between labels', () => {
    expect(dns1123SubdomainError('my.secret-1')).toBeUndefined();
    expect(dns1123SubdomainError('my..secret')).toContain('each dot-separated part');
    expect(dns1123SubdomainError('a'.repeat(254))).toContain('253');
  });

  it('label values and qualified names', () => {
    expect(labelValueError('')).toBeUndefined();
    expect(labelValueError('My_Task.v1')).toBeUndefined();
    expect(labelValueError('_x')).toContain('start and end');
    expect(qualifiedNameError('batchyard.io/task-name')).toBeUndefined();
    expect(qualifiedNameError('team')).toBeUndefined();
    expect(qualifiedNameError('Bad_Prefix/x')).toContain("prefix 'Bad_Prefix'");
    expect(qualifiedNameError('x/')).toContain('must not be empty');
  });
});

describe('jobName', () => {
  it('keeps a valid short task name readable', () => {
    expect(jobName('etl', 42)).toBe('etl-42');
    expect(jobName('etl', 42n)).toBe('etl-42');
    expect(jobName('etl', '42')).toBe('etl-42');
  });

  it('is deterministic', () => {
    expect(jobName('Nightly_Import.v2', 7)).toBe(jobName('Nightly_Import.v2', 7));
  });

  it('sanitises dots, underscores and upper case and adds a hash of the original', () => {
    const name = jobName('Nightly_Import.v2', 7);
    expect(name).toBe(`nightly-import-v2-${shortHash('Nightly_Import.v2')}-7`);
    expect(dns1123LabelError(name)).toBeUndefined();
    expect(jobName('my_task', 1)).not.toBe(jobName('my-task', 1));
  });

  it('shortens long names to 63 characters with a stable hash', () => {
    const long = `import-${'customer-'.repeat(10)}records`;
    const name = jobName(long, 123456789);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(new RegExp(`^import-customer-.*-${shortHash(long)}-123456789$`));
    expect(dns1123LabelError(name)).toBeUndefined();
    expect(jobName(`${long}x`, 123456789)).not.toBe(name);
  });

  it('is valid even for names with nothing usable', () => {
    const name = jobName('___', 5);
    expect(name).toBe(`task-${shortHash('___')}-5`);
    expect(dns1123LabelError(jobName('Ü'.repeat(80), Number.MAX_SAFE_INTEGER))).toBeUndefined();
  });

  it('does not end the truncated part with a dash', () => {
    const name = jobName(`${'a'.repeat(45)}-${'b'.repeat(20)}`, 1);
    expect(name).not.toMatch(/--/);
    expect(dns1123LabelError(name)).toBeUndefined();
  });

  it('rejects ids that are not non-negative integers', () => {
    expect(() => jobName('etl', -1)).toThrow("execution id '-1'");
    expect(() => jobName('etl', 1.5)).toThrow('non-negative integer');
    expect(() => jobName('etl', 'abc')).toThrow("'abc'");
  });
});

describe('cronJobName', () => {
  it('fits 52 characters so controller-made Job names fit 63', () => {
    expect(cronJobName('nightly')).toBe('nightly');
    const name = cronJobName('x'.repeat(60));
    expect(name.length).toBe(52);
    expect(name.endsWith(`-${shortHash('x'.repeat(60))}`)).toBe(true);
    expect(cronJobName('Nightly.ETL')).toBe(`nightly-etl-${shortHash('Nightly.ETL')}`);
    expect(dns1123LabelError(cronJobName('@@@'))).toBeUndefined();
  });
});

describe('sanitizeLabelValue', () => {
  it('keeps valid values', () => {
    expect(sanitizeLabelValue('My_Task.v1')).toBe('My_Task.v1');
  });

  it('fixes invalid characters and ends, adding a hash', () => {
    const value = sanitizeLabelValue('my task!');
    expect(value).toBe(`my-task-${shortHash('my task!')}`);
    expect(labelValueError(value)).toBeUndefined();
  });

  it('truncates to 63', () => {
    const value = sanitizeLabelValue('a'.repeat(100));
    expect(value.length).toBe(63);
    expect(labelValueError(value)).toBeUndefined();
    expect(labelValueError(sanitizeLabelValue('---'))).toBeUndefined();
  });
});
