import type { StepExecution } from '../model/execution.js';
import type { BatchStatus } from '../model/status.js';
import { ExitStatus, isUnsuccessful, maxStatus } from '../model/status.js';
import { executeStep } from '../step/execute.js';
import type { StepRuntime } from '../step/runtime.js';
import type { Flow, FlowNode } from './model.js';
import { selectTransition } from './model.js';

export interface FlowResult {
  status: BatchStatus;
  exitStatus: ExitStatus;
  /** Set when the flow stopped: the node a restart should begin with (stopAndRestart). */
  restartAt?: string;
  lastStep?: StepExecution;
}

interface NodeResult {
  status: BatchStatus;
  exitStatus: ExitStatus;
  lastStep?: StepExecution;
}

async function runNode(
  node: FlowNode,
  rt: StepRuntime,
  lastStep: StepExecution | undefined,
): Promise<NodeResult> {
  switch (node.kind) {
    case 'decider': {
      const code = await node.decide(rt.jobExecution, lastStep);
      return { status: 'COMPLETED', exitStatus: new ExitStatus(code), lastStep };
    }
    case 'split': {
      // Each branch sees the same stop signal; the worst status and most severe exit code win.
      const results = await Promise.all(node.flows.map((f) => runFlow(f, rt)));
      let status: BatchStatus = 'COMPLETED';
      let exit = ExitStatus.COMPLETED;
      for (const r of results) {
        status = maxStatus(status, r.status);
        exit = exit.and(r.exitStatus);
      }
      return { status, exitStatus: exit, lastStep: results.at(-1)?.lastStep ?? lastStep };
    }
    case 'flow':
      return runFlow(node, rt);
    default: {
      const se = await executeStep(node, rt);
      // The job context is saved at step boundaries, so a crash between steps keeps what they put.
      if (rt.jobExecution.context.dirty) await rt.repository.updateJobContext(rt.jobExecution);
      return { status: se.status, exitStatus: se.exitStatus, lastStep: se };
    }
  }
}

/**
 * Walks the flow from its start (or `startAt`). On restart the same walk happens again: completed
 * steps are not re-run but return their previous execution, so the flow follows the same
 * transitions up to the step that failed or stopped.
 */
export async function runFlow(flow: Flow, rt: StepRuntime, startAt?: string): Promise<FlowResult> {
  let node: FlowNode | undefined = (startAt && flow.nodes.get(startAt)) || flow.start;
  let lastStep: StepExecution | undefined;
  for (;;) {
    if (rt.stop.requested || rt.jobExecution.status === 'STOPPING') {
      const exitStatus = ExitStatus.STOPPED.addDescription('stop requested');
      return { status: 'STOPPED', exitStatus, restartAt: node.name, lastStep };
    }
    const result = await runNode(node, rt, lastStep);
    lastStep = result.lastStep;
    if (result.status === 'STOPPED' || result.status === 'STOPPING') {
      return { status: 'STOPPED', exitStatus: result.exitStatus, restartAt: node.name, lastStep };
    }
    const t = selectTransition(flow.transitions.get(node.name) ?? [], result.exitStatus.code);
    if (!t) {
      const status: BatchStatus = isUnsuccessful(result.status) ? 'FAILED' : 'COMPLETED';
      return { status, exitStatus: result.exitStatus, lastStep };
    }
    switch (t.kind) {
      case 'to':
        node = t.target;
        break;
      case 'end':
        return { status: 'COMPLETED', exitStatus: new ExitStatus(t.exitCode), lastStep };
      case 'fail':
        return {
          status: 'FAILED',
          exitStatus: new ExitStatus(t.exitCode, result.exitStatus.description),
          lastStep,
        };
      case 'stop':
        return { status: 'STOPPED', exitStatus: ExitStatus.STOPPED, restartAt: t.target.name, lastStep };
    }
  }
}
