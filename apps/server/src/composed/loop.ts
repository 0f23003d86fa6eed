import type { Logger } from 'pino';
import type { SingletonLoop } from '../leader/elector.js';
import type { LoopFence } from '../leader/fence.js';
import type { ComposedOrchestrator } from './orchestrator.js';

/**
 * The leader's composed-task loop: graphs left running resume when it starts leading; the periodic
 * pass is a safety net for a terminal event lost in a crash (advancing is driven by events).
 * While it runs, the orchestrator's loop-driven writes go through `fence`.
 */
export function composedLoop(
  orchestrator: ComposedOrchestrator,
  everyMs: number,
  logger: Logger,
  fence?: LoopFence,
): SingletonLoop {
  let timer: NodeJS.Timeout | undefined;
  return {
    name: 'composed tasks',
    async start() {
      orchestrator.loopFence = fence;
      await orchestrator.resumeAll();
      timer = setInterval(() => {
        orchestrator.resumeAll().catch((err: unknown) => logger.error({ err }, 'composed resync failed'));
      }, everyMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      orchestrator.loopFence = undefined;
    },
  };
}
