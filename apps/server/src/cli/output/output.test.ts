import { describe, expect, it } from 'vitest';
import { describeError } from '../client.js';
import { exitCodeOf } from '../wait.js';
import { readableLogLine } from './log-lines.js';
import { ago, createStyle, duration, status, truncate, until } from './style.js';
import { table } from './table.js';

const now = new Date('2026-12-02T12:00:00Z');
const plain = createStyle({ isTTY: false, env: {}, wide: false, now, columns: 60 });

describe('style', () => {
  it('colours only on a terminal without NO_COLOR, or when FORCE_COLOR says so', () => {
    expect(createStyle({ isTTY: true, env: {}, wide: false }).color).toBe(true);
    expect(createStyle({ isTTY: true, env: { NO_COLOR: '1' }, wide: false }).color).toBe(false);
    expect(createStyle({ isTTY: true, env: { TERM: 'dumb' }, wide: false }).color).toBe(false);
    expect(createStyle({ isTTY: false, env: {}, wide: false }).color).toBe(false);
    expect(createStyle({ isTTY: false, env: { FORCE_COLOR: '1' }, wide: false }).color).toBe(true);
    expect(createStyle({ isTTY: true, env: { FORCE_COLOR: '0' }, wide: false }).color).toBe(false);
  });

  it('writes statuses as symbol and word, readable without colour', () => {
    expect(status(plain, 'COMPLETE')).toBe('✓ COMPLETE');
    expect(status(plain, 'FAILED')).toBe('✗ FAILED');
    expect(status(plain, 'STARTED')).toBe('● STARTED');
    const coloured = createStyle({ isTTY: true, env: {}, wide: false });
    expect(status(coloured, 'FAILED')).toBe('\u001b[31m✗ FAILED\u001b[39m');
  });

  it.each([
    [850, '850ms'],
    [3_140, '3.1s'],
    [59_999, '59.9s'],
    [65_000, '1m 5s'],
    [3_600_000, '1h'],
    [3_720_000, '1h 2m'],
    [90_061_000, '1d 1h'],
  ])('duration(%d) is %s', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });

  it('says how long ago, and how long until', () => {
    expect(ago(plain, '2026-12-02T11:55:00Z')).toBe('5m ago');
    expect(ago(plain, '2026-12-02T12:00:00.300Z')).toBe('0s ago'); // the server's clock a little ahead
    expect(ago(plain, null)).toBe('-');
    expect(until(plain, '2026-12-02T14:00:00Z')).toBe('in 2h');
  });

  it('truncates by terminal columns with an ellipsis', () => {
    expect(truncate('abcdefgh', 5)).toBe('abcd…');
    expect(truncate('abc', 5)).toBe('abc');
  });
});

describe('table', () => {
  const rows = [
    { id: 1, name: 'short', text: 'a long free text that will not fit in sixty columns at all, no' },
    { id: 100, name: 'a-longer-name', text: 'brief' },
  ];
  const columns = [
    { header: 'ID', value: (r: (typeof rows)[number]) => String(r.id), right: true },
    { header: 'NAME', value: (r: (typeof rows)[number]) => r.name },
    { header: 'WIDE', value: () => 'x', wide: true },
    { header: 'TEXT', value: (r: (typeof rows)[number]) => r.text, flex: true },
  ];

  it('aligns columns, right-aligns counts, cuts the flexible column to the width', () => {
    expect(table(rows, columns, plain)).toBe(
      [
        ' ID   NAME            TEXT',
        '  1   short           a long free text that will not fit in…',
        '100   a-longer-name   brief',
      ].join('\n'),
    );
    expect(
      table(rows, columns, plain)
        .split('\n')
        .every((l) => l.length <= 60),
    ).toBe(true);
  });

  it('shows wide columns only with -o wide', () => {
    const wide = createStyle({ isTTY: false, env: {}, wide: true, now, columns: 200 });
    expect(table(rows, columns, wide).split('\n')[0]).toBe(' ID   NAME            WIDE   TEXT');
  });
});

describe('describeError', () => {
  it("prints a validation error's details once, not its joined message again", () => {
    const body = JSON.stringify({
      error: 'VALIDATION_FAILED',
      message: 'query.size: Too small; query.status: Invalid option',
      details: [
        { path: 'query.size', message: 'Too small' },
        { path: 'query.status', message: 'Invalid option' },
      ],
    });
    expect(describeError(400, 'Bad Request', body)).toBe(
      '400 invalid request:\n  query.size: Too small\n  query.status: Invalid option',
    );
  });

  it('keeps a message that says more than its details', () => {
    const body = JSON.stringify({
      message: "task definition 'x' has schedules",
      details: [{ path: 'params.name', message: 'nightly' }],
    });
    expect(describeError(409, 'Conflict', body)).toBe(
      "409 task definition 'x' has schedules\n  params.name: nightly",
    );
    expect(describeError(502, 'Bad Gateway', '<html>')).toBe('502 Bad Gateway');
  });
});

describe('exitCodeOf (--wait)', () => {
  it.each([
    ['COMPLETE', 0, 0],
    ['FAILED', 7, 7],
    ['FAILED', null, 1],
    ['LOST', null, 1],
    ['STOPPED', 143, 143],
    ['STOPPED', 0, 1],
  ] as const)('%s with exit code %s ends %d', (s, code, expected) => {
    expect(exitCodeOf({ status: s, exitCode: code })).toBe(expected);
  });
});

describe('readableLogLine', () => {
  it('turns a JSON log line into time, level, message and fields', () => {
    const line =
      '{"time":"2026-12-02T15:58:08.579Z","level":"info","msg":"job started","job":"settlement","id":2}';
    expect(readableLogLine(line, plain)).toBe('15:58:08.579 INFO  job started job=settlement id=2');
    expect(readableLogLine('{"level":50,"time":1,"msg":"boom","err":"a b"}', plain)).toBe(
      '00:00:00.001 ERROR boom err="a b"',
    );
  });

  it('leaves every other line as it is', () => {
    expect(readableLogLine('plain text', plain)).toBe('plain text');
    expect(readableLogLine('{not json', plain)).toBe('{not json');
    expect(readableLogLine('{"no":"message"}', plain)).toBe('{"no":"message"}');
  });
});
