import { applyEntryPointStyle, entryPointStyle, springTaskProperties } from '@batchyard/core';
import type { LaunchSpec } from '../platform/types.js';

/**
 * A launch of a Spring app as SCDF launches it: the `spring.cloud.task.*` properties naming the
 * TASK_EXECUTION row the server created (its id is the execution id), delivered as the launch's
 * entry point style says (`deployer.<app>.entryPointStyle`: exec, shell or boot). The datasource
 * (SPRING_DATASOURCE_*) is the platform's to add: a Secret reference on Kubernetes, the
 * environment locally. Apps registered with `springContract: false` are launched unchanged.
 */
export function withSpringContract(spec: LaunchSpec): LaunchSpec {
  if (!spec.springContract) return spec;
  const style = entryPointStyle(spec.deployer.entryPointStyle);
  const properties = springTaskProperties({
    executionId: spec.executionId,
    taskName: spec.taskName,
    parentExecutionId: spec.parentExecutionId,
  });
  // An invalid style was refused at launch time (Launcher.prepare); exec is the safe reading.
  const { args, env } = applyEntryPointStyle(
    typeof style === 'string' ? style : 'exec',
    properties,
    spec.args,
  );
  return { ...spec, args, env: { ...spec.env, ...env } };
}
