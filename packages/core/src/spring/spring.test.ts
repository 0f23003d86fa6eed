import { describe, expect, it } from 'vitest';
import { contextColumns, deserializeContext, readableContext, serializeContext } from './context.js';
import {
  fromSpringParameter,
  javaDouble,
  springJobKeyText,
  springValue,
  toSpringParameter,
} from './parameters.js';

describe("Spring Batch's job key text (DefaultJobKeyGenerator)", () => {
  const params = [
    { name: 'rows', value: 5, identifying: true },
    { name: 'input', value: '/a.csv', identifying: true },
    { name: 'runAt', value: new Date('2026-11-30T10:00:00Z'), identifying: false },
    { name: 'day', value: new Date('2026-11-30T00:00:00Z'), identifying: true },
  ];
  it('5.x: name={value=…, type=class …, identifying=true}; sorted by name, non-identifying left out', () => {
    expect(springJobKeyText(params, 5)).toBe(
      'day={value=Mon Nov 30 00:00:00 UTC 2026, type=class java.util.Date, identifying=true};' +
        'input={value=/a.csv, type=class java.lang.String, identifying=true};' +
        'rows={value=5, type=class java.lang.Long, identifying=true};',
    );
  });
  it("6.x: JobParameter{name='…', value=…, type=class …, identifying=true} concatenated", () => {
    expect(springJobKeyText(params.slice(0, 2), 6)).toBe(
      "JobParameter{name='input', value=/a.csv, type=class java.lang.String, identifying=true}" +
        "JobParameter{name='rows', value=5, type=class java.lang.Long, identifying=true}",
    );
  });
  it('no identifying parameter: the empty text', () => {
    expect(springJobKeyText([{ name: 'x', value: 1, identifying: false }])).toBe('');
  });
});

describe("Spring Batch 5's parameter rows", () => {
  it.each([
    ['s', 'java.lang.String', 's'],
    [42, 'java.lang.Long', '42'],
    [0.25, 'java.lang.Double', '0.25'],
    [true, 'java.lang.Boolean', 'true'],
    [new Date('2026-11-30T10:00:00Z'), 'java.util.Date', '2026-11-30T10:00:00Z'],
    [new Date('2026-11-30T10:00:00.250Z'), 'java.util.Date', '2026-11-30T10:00:00.250Z'],
  ] as const)('%s → %s %s and back', (value, type, text) => {
    const row = toSpringParameter({ name: 'p', value, identifying: false });
    expect(row).toEqual({ name: 'p', type, value: text, identifying: 'N' });
    expect(fromSpringParameter(row).value).toEqual(value);
  });
  it('reads Java types Batchyard does not write', () => {
    expect(
      fromSpringParameter({ name: 'd', type: 'java.time.LocalDate', value: '2026-11-30', identifying: 'Y' }),
    ).toEqual({
      name: 'd',
      type: 'DATE',
      value: new Date('2026-11-30T00:00:00Z'),
      identifying: true,
    });
    expect(
      fromSpringParameter({ name: 'i', type: 'java.lang.Integer', value: '7', identifying: 'N' }).value,
    ).toBe(7);
    expect(
      fromSpringParameter({ name: 'x', type: 'com.acme.Region', value: 'EU', identifying: 'Y' }),
    ).toMatchObject({
      type: 'STRING',
      value: 'EU',
    });
  });
  it("formats doubles as Java's Double.toString", () => {
    expect([1.5, 100.5, 1e7, 1.25e-5, 12345678.9, -0.001].map(javaDouble)).toEqual([
      '1.5',
      '100.5',
      '1.0E7',
      '1.25E-5',
      '1.23456789E7',
      '-0.001',
    ]);
    expect(springValue(3)).toBe('3');
  });
});

describe("contexts in the Jackson serializer's format", () => {
  it('writes class hints as Jackson default typing does and reads them back', () => {
    const context = {
      offset: 30,
      big: 3_000_000_000,
      ratio: 1.5,
      name: 'a',
      ok: true,
      none: null,
      list: [1, 'x'],
      map: { k: 'v' },
    };
    const text = serializeContext(context);
    expect(JSON.parse(text)).toEqual({
      '@class': 'java.util.HashMap',
      offset: 30,
      big: ['java.lang.Long', 3_000_000_000],
      ratio: 1.5,
      name: 'a',
      ok: true,
      none: null,
      list: ['java.util.ArrayList', [1, 'x']],
      map: { '@class': 'java.util.HashMap', k: 'v' },
    });
    expect(deserializeContext(text)).toEqual(context);
  });
  it('reads what a Java app wrote (typed values, nested collections)', () => {
    const java =
      '{"@class":"java.util.HashMap","batch.taskletType":"org.x.Tasklet","FlatFileItemReader.read.count":["java.lang.Long",12],"keys":["java.util.ArrayList",[["java.lang.Long",1]]]}';
    expect(deserializeContext(java)).toEqual({
      'batch.taskletType': 'org.x.Tasklet',
      'FlatFileItemReader.read.count': 12,
      keys: [1],
    });
  });
  it('splits a long context as the JDBC DAO does, and reads the long column', () => {
    const text = serializeContext({ s: 'x'.repeat(3000) });
    const { short, serialized } = contextColumns(text);
    expect(short).toHaveLength(2496);
    expect(short.endsWith(' ...')).toBe(true);
    expect(serialized).toBe(text);
    expect(deserializeContext(short, serialized)).toEqual({ s: 'x'.repeat(3000) });
    expect(contextColumns('{}')).toEqual({ short: '{}', serialized: null });
  });
  it('a context Spring wrote with Java serialization is not JSON: undefined', () => {
    expect(deserializeContext('rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA==')).toBeUndefined();
    expect(deserializeContext(null)).toEqual({});
  });
  it('… and shows as a marker naming its size and classes, never an error', () => {
    // A HashMap {"batch.version": "5.2.2", "reader.read.count": 50L}, written by a JVM's ObjectOutputStream.
    const java =
      'rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcAUH2sHDFmDRAwACRgAKbG9hZEZhY3RvckkACXRocmVzaG9sZHhwP0AAAAAAAAx3CAAAABAAAAACdAARcmVhZGVyLnJlYWQuY291bnRzcgAOamF2YS5sYW5nLkxvbmc7i+SQzI8j3wIAAUoABXZhbHVleHIAEGphdmEubGFuZy5OdW1iZXKGrJUdC5TgiwIAAHhwAAAAAAAAADJ0AA1iYXRjaC52ZXJzaW9udAAFNS4yLjJ4';
    expect(readableContext(java)).toEqual({
      _serialized: 'java',
      bytes: Buffer.from(java, 'base64').length,
      classes: ['java.util.HashMap', 'java.lang.Long', 'java.lang.Number'],
    });
    expect(readableContext('{"a":1', java)).toMatchObject({ _serialized: 'java' });
    expect(readableContext('not json')).toEqual({ _serialized: 'unknown', bytes: 8, classes: [] });
    expect(readableContext('{"@class":"java.util.HashMap","a":1}')).toEqual({ a: 1 });
    expect(readableContext(null)).toEqual({});
  });
});
