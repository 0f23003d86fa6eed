import type { FastifyRequest } from 'fastify';
import { AuthError } from './errors.js';
import type { Role } from './roles.js';

/** For actions that need more than their route's role (e.g. an app with a local command: MANAGE). */
export function requireRole(req: FastifyRequest, role: Role, what: string): void {
  if (!req.principal.roles.has(role)) {
    throw new AuthError('FORBIDDEN', `${req.principal.name} lacks role ${role}, which ${what} needs`);
  }
}
