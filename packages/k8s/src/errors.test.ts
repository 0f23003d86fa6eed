import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { apiErrorCode, isTransientKubeError, kubeErrorInfo } from './errors.js';

const status409 = JSON.stringify({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message: 'jobs.batch "etl-42" already exists',
  reason: 'AlreadyExists',
  details: { name: 'etl-42', group: 'batch', kind: 'jobs' },
  code: 409,
});

describe('Kubernetes errors', () => {
  it('reads ApiException code, reason and the server message', () => {
    const error = new ApiException(409, 'Unknown API Status Code!', status409, {});
    expect(apiErrorCode(error)).toBe(409);
    expect(kubeErrorInfo(error)).toEqual({
      code: 409,
      reason: 'AlreadyExists',
      message: 'jobs.batch "etl-42" already exists',
    });
  });

  it('reads watch errors (statusCode) and in-stream Status objects (code)', () => {
    expect(apiErrorCode(Object.assign(new Error('Gone'), { statusCode: 410 }))).toBe(410);
    expect(apiErrorCode({ kind: 'Status', code: 410, reason: 'Expired' })).toBe(410);
    expect(apiErrorCode(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBeUndefined();
  });

  it('classifies transient errors', () => {
    expect(isTransientKubeError(new ApiException(503, 'x', '', {}))).toBe(true);
    expect(isTransientKubeError(new ApiException(429, 'x', '', {}))).toBe(true);
    expect(isTransientKubeError(new ApiException(422, 'x', '', {}))).toBe(false);
    expect(
      isTransientKubeError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toBe(true);
    expect(isTransientKubeError(new Error('invalid manifest'))).toBe(false);
  });
});
