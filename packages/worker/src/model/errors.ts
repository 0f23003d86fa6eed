/**
 * Errors the runtime raises. Each carries a stable `code` so the CLI can map it to an exit code and
 * the control plane can match on it without parsing messages.
 */
export class BatchError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The JobInstance has an execution that is STARTING, STARTED or STOPPING. */
export class JobExecutionAlreadyRunningError extends BatchError {
  constructor(message: string) {
    super('JOB_EXECUTION_ALREADY_RUNNING', message);
  }
}

/** The JobInstance already COMPLETED and no step allows start-if-complete. */
export class JobInstanceAlreadyCompleteError extends BatchError {
  constructor(message: string) {
    super('JOB_INSTANCE_ALREADY_COMPLETE', message);
  }
}

/** A restart was refused: the job is not restartable, or its last status is UNKNOWN. */
export class JobRestartError extends BatchError {
  constructor(message: string) {
    super('JOB_RESTART', message);
  }
}

/** A step has been started as many times as its startLimit allows. */
export class StartLimitExceededError extends BatchError {
  constructor(message: string) {
    super('START_LIMIT_EXCEEDED', message);
  }
}

/** Another process changed the row since we read it (version column mismatch). */
export class OptimisticLockingError extends BatchError {
  constructor(message: string) {
    super('OPTIMISTIC_LOCKING', message);
  }
}

export class SkipLimitExceededError extends BatchError {
  constructor(limit: number, cause: unknown) {
    super('SKIP_LIMIT_EXCEEDED', `skip limit ${limit} exceeded`, { cause });
  }
}

/** A failure the skip policy refused to skip (wrong class). */
export class NonSkippableError extends BatchError {
  constructor(phase: 'read' | 'process' | 'write', cause: unknown) {
    super('NON_SKIPPABLE', `non-skippable ${phase} failure`, { cause });
  }
}

/** Unknown job name, bad arguments or a module without the job: nothing was started. */
export class JobConfigurationError extends BatchError {
  constructor(message: string, code = 'JOB_CONFIGURATION') {
    super(code, message);
  }
}

/**
 * The launch parameters failed the job's validator: nothing was started (no instance, no
 * execution). A configuration error, so the worker exits 2.
 */
export class JobParametersInvalidError extends JobConfigurationError {
  readonly missing: readonly string[];

  constructor(message: string, details: { missing?: readonly string[] } = {}) {
    super(message, 'JOB_PARAMETERS_INVALID');
    this.missing = details.missing ?? [];
  }
}

/** Raised inside a step to stop it at the next chunk boundary (SIGTERM or control-plane stop). */
export class JobInterruptedError extends BatchError {
  constructor(message = 'job interrupted') {
    super('JOB_INTERRUPTED', message);
  }
}
