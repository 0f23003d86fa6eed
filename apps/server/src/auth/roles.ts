/**
 * SCDF's seven roles. Every route declares the one it needs next to its schema
 * (`config: { role: 'VIEW' }`); a route without one is refused by the auth plugin and fails the
 * route-role test, so access is denied by default.
 */
export const ROLES = ['VIEW', 'CREATE', 'DEPLOY', 'DESTROY', 'MODIFY', 'SCHEDULE', 'MANAGE'] as const;
export type Role = (typeof ROLES)[number];

/** `PUBLIC`: no credential needed (health probes). */
export type RouteAccess = Role | 'PUBLIC';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The role a caller needs for this route (see auth/roles.ts). */
    role?: RouteAccess;
    /**
     * A task's own token may call this route for its own execution (the `:id` parameter):
     * launching and reading its remote partitions (see auth/task-tokens.ts).
     */
    task?: boolean;
    /**
     * A POST that changes nothing (a dry run, a parse): its answers leave no audit record, except a
     * refused credential or role (401/403), so a form that previews as the user types does not
     * flood the audit trail.
     */
    readOnly?: boolean;
  }
}
