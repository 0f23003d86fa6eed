import { ROLES, type Role } from './roles.js';

/** How the caller proved who they are. */
export type PrincipalKind = 'anonymous' | 'token' | 'oidc' | 'kubernetes' | 'session' | 'task';

/** The caller, resolved once per request at the edge; services see only this. */
export interface Principal {
  kind: PrincipalKind;
  /** Stable, human-readable: `token:ci`, `oidc:alice`, `k8s:system:serviceaccount:batch:runner`. */
  name: string;
  roles: ReadonlySet<Role>;
  /**
   * The execution the caller runs as, on routes that allow tasks: a task token (kind 'task'), or a
   * task pod's bound ServiceAccount token (kind 'kubernetes', with its service account's roles too).
   */
  executionId?: number;
}

export const ALL_ROLES: ReadonlySet<Role> = new Set(ROLES);

/** With authentication off (loopback quick start, or auth.disabled), the caller may do anything. */
export const UNAUTHENTICATED_LOCAL: Principal = { kind: 'anonymous', name: 'anonymous', roles: ALL_ROLES };

/** Keeps only known role names, in ROLES order. */
export function toRoles(names: Iterable<string>): Set<Role> {
  const wanted = new Set(names);
  return new Set(ROLES.filter((r) => wanted.has(r)));
}

/**
 * Roles granted by a list of claim values (scopes, groups) through a mapping table: a value
 * grants the roles it is mapped to; unmapped values grant nothing.
 */
export function mapRoles(
  values: readonly string[],
  mappings: Readonly<Record<string, readonly Role[]>>,
): Set<Role> {
  const roles = new Set<Role>();
  for (const value of values) for (const role of mappings[value] ?? []) roles.add(role);
  return toRoles(roles);
}
