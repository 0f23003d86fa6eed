import { describe, expect, it } from 'vitest';
import { expandRefs, parseQuantity } from './env.js';
import { containerArgv, defaultImageTable, resolveImage, SAMPLE_TASK_MAIN } from './images.js';
import { type ContainerStatusJson, computePhase, newContainerStatus } from './status.js';

describe('image table', () => {
  const table = defaultImageTable();

  it.each([
    ['batchyard/worker-sample:1.0', SAMPLE_TASK_MAIN],
    ['docker.io/batchyard/test-shell:1', '/bin/sh'],
    ['busybox', undefined],
    ['docker.io/library/busybox:1.36@sha256:abc', undefined],
  ])('resolves %s', (image, entry) => {
    const mapping = resolveImage(table, image);
    expect(mapping).toBeDefined();
    if (entry) expect(mapping?.entrypoint).toContain(entry);
  });

  it('does not resolve unknown images', () => {
    expect(resolveImage(table, 'batchyard/no-such-image:0.0.0')).toBeUndefined();
    expect(resolveImage(table, 'registry.example.com/busybox:1')).toBeUndefined();
  });

  it('applies the kubelet rules for command and args', () => {
    const shell = { entrypoint: ['/bin/sh'], cmd: ['-i'] };
    expect(containerArgv(shell)).toEqual(['/bin/sh', '-i']);
    expect(containerArgv(shell, undefined, ['-c', 'echo'])).toEqual(['/bin/sh', '-c', 'echo']);
    expect(containerArgv(shell, ['bash'], ['-c', 'x'])).toEqual(['bash', '-c', 'x']);
    expect(containerArgv(shell, ['bash'])).toEqual(['bash']);
  });
});

describe('quantities', () => {
  it.each([
    ['500m', 0.5],
    ['2', 2],
    ['128Mi', 128 * 2 ** 20],
    ['1G', 1e9],
    ['1e3', 1000],
    ['1.5Gi', 1.5 * 2 ** 30],
  ])('parses %s', (q, n) => {
    expect(parseQuantity(q)).toBeCloseTo(n);
  });

  it('rejects garbage', () => {
    expect(() => parseQuantity('12Q')).toThrow();
  });
});

describe('$(VAR) expansion', () => {
  it('expands known variables, keeps unknown ones and unescapes $$', () => {
    expect(expandRefs('a-$(X)-$(Y)-$$(X)', { X: '1' })).toBe('a-1-$(Y)-$(X)');
  });
});

describe('pod phase', () => {
  const done = (code: number): ContainerStatusJson => ({
    ...newContainerStatus('c', 'i'),
    state: {
      terminated: { exitCode: code, reason: code ? 'Error' : 'Completed', startedAt: '', finishedAt: '' },
    },
  });
  const running: ContainerStatusJson = {
    ...newContainerStatus('c', 'i'),
    state: { running: { startedAt: '' } },
  };
  const waiting = newContainerStatus('c', 'i');

  it.each([
    [[waiting], 'Never', false, 'Pending'],
    [[running], 'Never', false, 'Running'],
    [[done(0)], 'Never', false, 'Succeeded'],
    [[done(1)], 'Never', false, 'Failed'],
    [[done(0), running], 'Never', false, 'Running'],
    [[done(0), done(2)], 'OnFailure', false, 'Failed'],
    [[done(0)], 'Always', false, 'Running'],
    [[waiting], 'Never', true, 'Failed'],
    [[done(0)], 'Always', true, 'Succeeded'],
  ] as const)('%j with %s (final %s) is %s', (containers, policy, final, phase) => {
    expect(computePhase([], [...containers], policy, final)).toBe(phase);
  });

  it('stays Pending until init containers succeed', () => {
    expect(computePhase([running], [waiting], 'Never', false)).toBe('Pending');
    expect(computePhase([done(1)], [waiting], 'Never', false)).toBe('Failed');
  });
});
