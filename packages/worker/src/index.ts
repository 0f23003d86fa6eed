/**
 * @batchyard/worker — a Spring-Batch-style job runtime for task pods. See README.md.
 */

export { parseArgs, parseTypedValue, type WorkerArgs } from './cli/args.js';
export { parseEnv, type WorkerEnv } from './cli/env.js';
export {
  defineJob,
  EXIT_CODES,
  type JobDefinition,
  type JobFactory,
  type RunWorkerOptions,
  runWorker,
} from './cli/run.js';
export * from './flow/builder.js';
export { type FlowResult, runFlow } from './flow/execute.js';
export * from './flow/incrementer.js';
export * from './flow/model.js';
export * from './flow/validator.js';
export * from './io/composite.js';
export * from './io/csv.js';
export { ChunkFile, FlatFileParseError, linesWithOffsets } from './io/files.js';
export * from './io/fixed-width.js';
export * from './io/json-array.js';
export * from './io/jsonl.js';
export * from './io/memory.js';
export * from './io/multi-file.js';
export * from './io/postgres.js';
export * from './launch.js';
export * from './model/api.js';
export * from './model/context.js';
export * from './model/errors.js';
export * from './model/execution.js';
export * from './model/log.js';
export * from './model/parameters.js';
export * from './model/status.js';
export * from './model/step.js';
export {
  ControlPlaneClient,
  ControlPlaneError,
  type PartitionListView,
  type PartitionView,
} from './remote/client.js';
export {
  type ControlPlanePartitionOptions,
  controlPlanePartitionHandler,
  PartitionTimeoutError,
} from './remote/handler.js';
export { InMemoryJobRepository } from './repository/memory.js';
export {
  PostgresJobRepository,
  type PostgresJobRepositoryOptions,
  springTypes,
} from './repository/postgres.js';
export * from './repository/recover.js';
export * from './repository/types.js';
export { FaultPolicy, mapBounded, type Sleep } from './step/fault-tolerance.js';
export { CHILD_EXECUTION_KEY, JobStepFailedError } from './step/job-step.js';
export { localPartitionHandler, partitionStepName } from './step/partition.js';
export {
  type PartitionLaunchRequest,
  type RemotePartitionLauncher,
  type RemotePartitionOptions,
  type RunPartitionOptions,
  remotePartitionHandler,
  runPartitionExecution,
} from './step/remote-partition.js';
export type { ControlPlaneConnection, StepRuntime, StopSignal } from './step/runtime.js';
export { cgroupCpuLimit, defaultPoolSize } from './threads/pool-size.js';
export {
  ThreadedProcessError,
  ThreadedProcessor,
  type ThreadedProcessorOptions,
  threadedProcessor,
} from './threads/threaded-processor.js';
