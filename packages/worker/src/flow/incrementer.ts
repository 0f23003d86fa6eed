import type { JobExecution } from '../model/execution.js';
import { JobParameters } from '../model/parameters.js';

/**
 * Computes the parameters of the next instance of a job from those of its latest execution
 * (Spring Batch's `JobParametersIncrementer`). A job opts in with `job(name).incrementer(...)`.
 */
export interface JobParametersIncrementer {
  /** `previous` is the parameters of the job's latest execution, or undefined for its first run. */
  getNext(previous: JobParameters | undefined): JobParameters;
  /** Parameter names this incrementer adds: a parameters validator accepts them without listing them. */
  readonly keys: readonly string[];
}

/**
 * Spring Batch's `RunIdIncrementer`: `run.id` (identifying NUMBER) = the previous one + 1, starting
 * at 1, the previous execution's other parameters carried over. Each launch is a new instance, so a
 * COMPLETED job can run again.
 *
 * @example job('settlement').incrementer(runIdIncrementer()).start(step).build()
 */
export function runIdIncrementer(key = 'run.id'): JobParametersIncrementer {
  return {
    keys: [key],
    getNext(previous) {
      const base = previous ?? new JobParameters();
      const last = base.get(key);
      const id = last && typeof last.value === 'number' ? last.value : Number(last?.value ?? 0);
      return base.with(key, (Number.isFinite(id) ? id : 0) + 1);
    },
  };
}

/**
 * The parameters a launch of a job with an incrementer runs with. Parameters given to this launch
 * are added on top and win.
 *
 * - The latest execution FAILED or STOPPED and the job is restartable: its identifying parameters
 *   again, so the relaunch restarts that instance from its last commit (Spring Boot's job launcher
 *   does the same; it is also what a control-plane restart, which relaunches with the original
 *   arguments, needs).
 * - The latest execution is still running (STARTING/STARTED/STOPPING) or UNKNOWN: its identifying
 *   parameters too, so the launch is refused as that instance is refused — one running execution
 *   per job, and a pod killed mid-run is recovered, not overtaken. (Spring Batch would start a
 *   second, concurrent instance.)
 * - Otherwise (COMPLETED, ABANDONED, no execution yet): the incrementer's next parameters, from the
 *   latest execution's identifying parameters (Spring Batch carries the non-identifying ones over
 *   too; here a one-off `--failAt=…` does not stick to every later run).
 */
export function nextParameters(
  incrementer: JobParametersIncrementer,
  restartable: boolean,
  last: JobExecution | undefined,
  given: JobParameters,
): JobParameters {
  if (last) {
    const s = last.status;
    const resume = restartable && (s === 'FAILED' || s === 'STOPPED');
    if (resume || s === 'STARTING' || s === 'STARTED' || s === 'STOPPING' || s === 'UNKNOWN') {
      return last.parameters.identifying().merge(given);
    }
  }
  return incrementer.getNext(last?.parameters.identifying()).merge(given);
}
