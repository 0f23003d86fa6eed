import type { JobExecution, JobExecutionDetail, Page, StepProgress, TaskExecution } from '@batchyard/core';
import { type Style, status } from './output/style.js';
import type { Context, Outcome } from './spec.js';
import { executionSummary } from './views/executions.js';

const TERMINAL = new Set(['COMPLETE', 'FAILED', 'STOPPED', 'LOST']);

/** The exit code `--wait` ends with: the task's own, and never 0 for a run that did not complete. */
export function exitCodeOf(e: Pick<TaskExecution, 'status' | 'exitCode'>): number {
  if (e.status === 'COMPLETE') return e.exitCode ?? 0;
  return e.exitCode !== null && e.exitCode !== 0 ? e.exitCode : 1;
}

/** What the running step has done: from its progress endpoint. */
interface StepView {
  name: string;
  percent: number;
  items: number;
  rate: number;
}

/** Where progress is shown: a live bar on a terminal, one line per change elsewhere. */
interface ProgressSink {
  update(e: TaskExecution, step: StepView | undefined): void;
  stop(): void;
}

async function barSink(style: Style, stream: NodeJS.WritableStream): Promise<ProgressSink> {
  // Loaded only to draw a bar on a terminal: every other command starts without it.
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{status}  {step} {bar} {percentage}% | {items} items | {rate} items/s',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(e, step) {
      const payload = {
        status: `execution ${e.id} ${status(style, e.status)}`,
        step: step?.name ?? '',
        items: step?.items ?? 0,
        rate: step?.rate ?? 0,
      };
      // SCDF's estimate passes 100% when a run outgrows its history: 99% until it really ends.
      const value = step ? Math.min(99, Math.round(step.percent * 100)) : 0;
      if (!started) bar.start(100, value, payload);
      else bar.update(value, payload);
      started = true;
    },
    stop: () => started && bar.stop(),
  };
}

function lineSink(style: Style, note: (text: string) => void): ProgressSink {
  let last = '';
  return {
    update(e, step) {
      // Ten-point steps, so a log file gets a handful of lines, not one per poll.
      const pct = step ? `  step ${step.name} ${Math.min(90, Math.floor(step.percent * 10) * 10)}%` : '';
      const line = `execution ${e.id} ${status(style, e.status)}${pct}`;
      if (line !== last) note(`${line}${step ? ` (${step.items} items, ${step.rate} items/s)` : ''}\n`);
      last = line;
    },
    stop() {},
  };
}

/** The newest job execution the task has run: from the execution, else asked by task execution id. */
async function latestJobId(ctx: Context, e: TaskExecution): Promise<number | undefined> {
  if (e.jobExecutionIds.length) return Math.max(...e.jobExecutionIds);
  const page = await ctx.client.request<Page<JobExecution>>(
    'GET',
    `/jobs/executions?taskExecutionId=${e.id}&size=1`,
  );
  return page.items[0]?.id;
}

async function runningStep(ctx: Context, e: TaskExecution): Promise<StepView | undefined> {
  if (e.status !== 'RUNNING') return undefined;
  const jobId = await latestJobId(ctx, e);
  if (jobId === undefined) return undefined;
  const job = await ctx.client.request<JobExecutionDetail>('GET', `/jobs/executions/${jobId}`);
  const step = [...job.steps].reverse().find((s) => s.status === 'STARTED' || s.status === 'STARTING');
  if (!step) return undefined;
  const p = await ctx.client.request<StepProgress>(
    'GET',
    `/jobs/executions/${jobId}/steps/${step.id}/progress`,
  );
  const rate = p.duration > 0 ? Math.round((p.stepExecution.readCount * 1000) / p.duration) : 0;
  return { name: step.stepName, percent: p.percentageComplete, items: p.stepExecution.readCount, rate };
}

/**
 * Polls the execution until it ends, showing its status and the running step's progress on
 * stderr; the outcome carries the task's exit code. Ctrl-C stops waiting (exit 130), not the task.
 */
export async function waitForExecution(ctx: Context, id: number, intervalMs = 500): Promise<Outcome> {
  const sink = ctx.noteTTY ? await barSink(ctx.noteStyle, process.stderr) : lineSink(ctx.noteStyle, ctx.note);
  const stopWaiting = new AbortController();
  const onSigint = () => stopWaiting.abort();
  process.once('SIGINT', onSigint);
  try {
    for (;;) {
      const e = await ctx.client.request<TaskExecution>('GET', `/tasks/executions/${id}`);
      if (TERMINAL.has(e.status)) {
        sink.stop();
        return { data: e, human: (s) => executionSummary(e, s), exitCode: exitCodeOf(e) };
      }
      sink.update(e, await runningStep(ctx, e).catch(() => undefined));
      await sleep(intervalMs, stopWaiting.signal);
      if (stopWaiting.signal.aborted) {
        sink.stop();
        ctx.note(
          `\ninterrupted: execution ${id} keeps running (${e.status}); stop it with: batchyard executions stop ${id}\n`,
        );
        return { exitCode: 130 };
      }
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
