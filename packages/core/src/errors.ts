/**
 * Every error the API returns, with its HTTP status, in one place. Services throw these;
 * the HTTP layer turns them into `{error, message, details}`.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  DSL_INVALID: 400,
  UNKNOWN_APP: 400,
  INVALID_PROPERTY: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 422,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PLATFORM_UNAVAILABLE: 503,
  NOT_READY: 503,
  DATABASE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  /** Where the problem is: `body.name`, `query.size`, `definition` (with a DSL position in the message). */
  path: string;
  message: string;
}

export interface ErrorBody {
  error: ErrorCode;
  message: string;
  details: ErrorDetail[];
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.status = ERROR_CODES[code];
  }

  toBody(): ErrorBody {
    return { error: this.code, message: this.message, details: this.details };
  }
}

export const notFound = (what: string, key: string | number): ApiError =>
  new ApiError('NOT_FOUND', `${what} '${key}' does not exist`);

export const alreadyExists = (what: string, key: string | number, path = 'body.name'): ApiError =>
  new ApiError('ALREADY_EXISTS', `${what} '${key}' already exists`, [{ path, message: 'already exists' }]);

export const invalid = (path: string, message: string): ApiError =>
  new ApiError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);

/** A paging cursor that did not come from this server (or was altered). */
export const badCursor = (): ApiError => invalid('query.cursor', 'not a cursor this server issued');
