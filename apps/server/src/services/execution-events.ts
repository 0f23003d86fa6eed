import { ApiError, type ExecutionEvent, notFound } from '@batchyard/core';
import { executions, type PrismaClient } from '@batchyard/db';
import type { PlatformRegistry } from '../platform/registry.js';

/**
 * An execution's platform events, read live (Kubernetes keeps Events for about an hour): why a
 * pod was refused, unschedulable, pulled, killed. Platforms without events (local) have none.
 */
export class ExecutionEventsService {
  constructor(
    private readonly db: PrismaClient,
    private readonly platforms: PlatformRegistry,
  ) {}

  async list(id: number): Promise<{ items: ExecutionEvent[] }> {
    const row = await executions.findExecution(this.db, id);
    if (!row) throw notFound('task execution', id);
    const platform = this.platforms.find(row.platformName);
    if (!platform?.events || !row.externalExecutionId) return { items: [] };
    try {
      return { items: await platform.events(row.externalExecutionId) };
    } catch (err) {
      throw new ApiError(
        'PLATFORM_UNAVAILABLE',
        `events of execution ${id} are not available: ${(err as Error).message}`,
      );
    }
  }
}
