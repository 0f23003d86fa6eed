import { ApiError } from '@batchyard/core';
import { describe, expect, it } from 'vitest';
import { effectiveTimeZone } from './kubernetes-schedules.js';

const v1beta1 = { apiVersion: 'batch/v1beta1', timeZone: false } as const;
const v1NoZone = { apiVersion: 'batch/v1', timeZone: false } as const;
const v1Zone = { apiVersion: 'batch/v1', timeZone: true } as const;

describe('effectiveTimeZone', () => {
  it.each([
    [null, v1beta1, null],
    ['UTC', v1beta1, null],
    ['Etc/UTC', v1NoZone, null],
    ['Africa/Abidjan', v1beta1, null], // UTC+0 all year: exact
    ['Europe/Berlin', v1Zone, 'Europe/Berlin'],
    ['UTC', v1Zone, 'UTC'],
  ])('%s on %j → %s', (zone, support, expected) => {
    expect(effectiveTimeZone(zone, support)).toBe(expected);
  });

  it.each([
    ['Europe/Berlin', v1beta1],
    ['Europe/London', v1NoZone], // UTC+0 only in winter
    ['America/New_York', v1beta1],
  ])('refuses %s on %j with a 400 naming body.timeZone', (zone, support) => {
    try {
      effectiveTimeZone(zone, support);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(400);
      expect((err as ApiError).details[0]).toMatchObject({
        path: 'body.timeZone',
        message: expect.stringMatching(/1\.27/),
      });
    }
  });
});
