import type { PrismaClient } from '@batchyard/db';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { ControlPlane } from '../control-plane.js';
import { KubernetesPlatform } from '../platform/kubernetes.js';
import { partitionRoutes } from './routes.js';
import { PartitionService } from './service.js';
import { taskPodsOf } from './task-pods.js';

/**
 * Remote partitions: the routes, the terminal listener that fails a partition with its
 * execution's reason, and the API address local tasks are given (known once the server listens).
 */
export async function registerPartitions(
  app: FastifyInstance,
  plane: ControlPlane,
  deps: { prisma: PrismaClient; logger: Logger; config: Readonly<Config> },
): Promise<PartitionService> {
  const service = new PartitionService(deps.prisma, plane.launcher, plane.executions, deps.logger);
  // Task pods on Kubernetes authenticate as their execution with their projected token.
  const reviewer = app.auth.authenticators.kubernetes;
  if (reviewer) {
    const wanted = deps.config.auth.kubernetes?.account;
    const account = plane.platforms.platforms.find((p) =>
      wanted ? p.name === wanted : p.type === 'kubernetes',
    );
    const server = account instanceof KubernetesPlatform ? account.server : undefined;
    reviewer.taskPods = taskPodsOf(deps.prisma, plane.platforms, server);
  }
  plane.onTerminal((id, status) => service.terminal(id, status));
  app.addHook('onListen', async () => {
    const address = app.addresses()[0];
    if (!address || typeof address === 'string' || plane.launcher.apiUrl) return;
    // Tasks of the local platform run on this machine: a wildcard listen is reached on loopback.
    const host =
      address.address === '0.0.0.0' || address.address === '::'
        ? '127.0.0.1'
        : address.family === 'IPv6'
          ? `[${address.address}]`
          : address.address;
    plane.launcher.apiUrl = `http://${host}:${address.port}`;
  });
  await app.register(partitionRoutes(service));
  return service;
}
