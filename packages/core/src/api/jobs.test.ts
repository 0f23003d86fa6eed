import { describe, expect, it } from 'vitest';
import { type CountDetails, estimateProgress } from './jobs.js';

const stats = (mean: number): CountDetails => ({
  count: 1,
  min: mean,
  max: mean,
  mean,
  standardDeviation: 0,
});
const history = (count: number, readMean: number, durationMean: number) => ({
  count,
  readCount: stats(readMean),
  duration: stats(durationMean),
});

// SCDF's StepExecutionProgressInfo, case by case.
describe('estimateProgress', () => {
  it.each([
    ['finished', { readCount: 10, finished: true, durationMs: 5 }, history(3, 100, 1000), 1, 'ENDTIME'],
    ['no history', { readCount: 10, finished: false, durationMs: 5 }, history(0, 0, 0), 0.5, 'NOHISTORY'],
    ['by reads', { readCount: 25, finished: false, durationMs: 5 }, history(3, 100, 1000), 0.25, 'READCOUNT'],
    ['by duration', { readCount: 0, finished: false, durationMs: 300 }, history(3, 0, 1000), 0.3, 'DURATION'],
    [
      'nothing known',
      { readCount: 0, finished: false, durationMs: 300 },
      history(3, 0, 0),
      0.5,
      'NOINFORMATION',
    ],
    [
      'outgrows history',
      { readCount: 150, finished: false, durationMs: 5 },
      history(3, 100, 1000),
      1.5,
      'READCOUNT',
    ],
  ] as const)('%s', (_name, step, h, percentageComplete, basis) => {
    expect(estimateProgress(step, h)).toEqual({ percentageComplete, basis });
  });
});
