import { ApiError } from '@batchyard/core';
import { DslError } from '@batchyard/dsl';

/** A DSL mistake becomes a 400 whose detail gives line and column. */
export function dslApiError(err: unknown, path = 'body.definition'): never {
  if (err instanceof DslError) {
    const message = `line ${err.line}, column ${err.column}: ${err.message}`;
    throw new ApiError('DSL_INVALID', `${path}: ${message}`, [{ path, message }]);
  }
  throw err;
}
