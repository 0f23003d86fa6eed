import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app.js';
import type { ControlPlane } from '../control-plane.js';
import type { Leadership } from '../leader/elector.js';
import { scheduleRoutes } from '../routes/schedules.js';
import { LocalScheduler } from './local-scheduler.js';
import { ScheduleService } from './service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The in-process scheduler of local accounts; tests call its tick() with the time they choose. */
    localScheduler: LocalScheduler;
  }
}

/**
 * Schedules as one capability: the service, its routes and the in-process scheduler, started with
 * the control loops and stopped before them. Returns the service (the definition routes ask it
 * before a definition with schedules is deleted).
 */
export async function registerSchedules(
  app: FastifyInstance,
  deps: AppDeps,
  controlPlane: ControlPlane,
  leadership: Pick<Leadership, 'add' | 'fence'>,
): Promise<ScheduleService> {
  const service = new ScheduleService(
    deps.prisma,
    controlPlane.platforms,
    controlPlane.launcher,
    deps.logger,
  );
  await app.register(scheduleRoutes(service));
  const scheduler = new LocalScheduler({
    db: deps.prisma,
    platforms: controlPlane.platforms,
    launcher: controlPlane.launcher,
    stop: (ids) => controlPlane.executions.stop(ids),
    logger: deps.logger.child({ component: 'scheduler' }),
    now: () => new Date(),
    intervalMs: deps.config.schedules.checkSeconds * 1000,
  });
  app.decorate('localScheduler', scheduler);
  leadership.add({
    name: 'local schedules',
    start: async () => {
      scheduler.fence = leadership.fence;
      scheduler.start();
    },
    stop: () => scheduler.stop(),
  });
  app.addHook('onClose', () => scheduler.stop());
  return service;
}
