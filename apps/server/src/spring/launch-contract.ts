import {
  applyEntryPointStyle,
  DEFAULT_TABLE_PREFIXES,
  entryPointStyle,
  type SpringTablePrefixes,
  type SpringTaskIdentity,
  springTaskProperties,
} from '@batchyard/core';
import type { LaunchSpec } from '../platform/types.js';

/**
 * A launch of a Spring app as SCDF launches it: the `spring.cloud.task.*` properties naming the
 * TASK_EXECUTION row the server created (its id is the execution id), delivered as the launch's
 * entry point style says (`deployer.<app>.entryPointStyle`: exec, shell or boot). The datasource
 * (SPRING_DATASOURCE_*) is the platform's to add: a Secret reference on Kubernetes, the
 * environment locally. Apps registered with `springContract: false` are launched unchanged.
 */
export function withSpringContract(
  spec: LaunchSpec,
  tablePrefixes: Readonly<SpringTablePrefixes> = DEFAULT_TABLE_PREFIXES,
): LaunchSpec {
  if (!spec.springContract) return spec;
  return applyContract(spec, {
    executionId: spec.executionId,
    taskName: spec.taskName,
    parentExecutionId: spec.parentExecutionId,
    tablePrefixes,
  });
}

/**
 * The launch a schedule's CronJob stamps out for a Spring app. No row exists before the controller
 * creates the Job, so there is no execution id to pass: the app inserts its own TASK_EXECUTION row,
 * and `externalExecutionId` (on Kubernetes a `$(BATCHYARD_JOB_NAME)` reference the kubelet expands
 * from the downward API) tags it, so the reconciler merges it into the execution it adopts.
 */
export function withScheduledSpringContract<T extends Omit<LaunchSpec, 'executionId'>>(
  launch: T,
  externalExecutionId: string,
  tablePrefixes: Readonly<SpringTablePrefixes> = DEFAULT_TABLE_PREFIXES,
): T {
  if (!launch.springContract) return launch;
  return applyContract(launch, {
    taskName: launch.taskName,
    parentExecutionId: launch.parentExecutionId,
    externalExecutionId,
    tablePrefixes,
  });
}

function applyContract<T extends Omit<LaunchSpec, 'executionId'>>(
  launch: T,
  identity: SpringTaskIdentity,
): T {
  const style = entryPointStyle(launch.deployer.entryPointStyle);
  // An invalid style was refused at launch time (Launcher.prepare); exec is the safe reading.
  const { args, env } = applyEntryPointStyle(
    typeof style === 'string' ? style : 'exec',
    springTaskProperties(identity),
    launch.args,
  );
  return { ...launch, args, env: { ...launch.env, ...env } };
}
