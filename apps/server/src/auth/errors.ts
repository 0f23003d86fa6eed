import { ApiError } from '@batchyard/core';

/** 401 (no or bad credential) and 403 (a credential without the role); messages never echo secrets. */
export class AuthError extends ApiError {
  constructor(code: 'UNAUTHENTICATED' | 'FORBIDDEN', message: string) {
    super(code, message);
  }
}
