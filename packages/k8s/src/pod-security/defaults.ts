import type { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';

/**
 * The security contexts every task pod gets unless its deployer properties say otherwise: the
 * least that passes Pod Security "restricted" (runAsNonRoot, seccomp RuntimeDefault, no
 * privilege escalation, every capability dropped). Properties are merged field by field over
 * these, so `podSecurityContext={"runAsUser":1000}` keeps the rest; a field is relaxed only by
 * naming it (`containerSecurityContext={"allowPrivilegeEscalation":true}`).
 *
 * Images must then run as a non-root user: a numeric USER in the image (Batchyard's images use
 * 10001), or `runAsUser` in the properties. The kubelet refuses a container whose image runs as
 * root under runAsNonRoot, naming the reason on the pod.
 */
export const RESTRICTED_POD_SECURITY_CONTEXT: Readonly<V1PodSecurityContext> = Object.freeze({
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
});

export const RESTRICTED_CONTAINER_SECURITY_CONTEXT: Readonly<V1SecurityContext> = Object.freeze({
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
});

export function podSecurityContext(fromProperties: V1PodSecurityContext | undefined): V1PodSecurityContext {
  return { ...structuredClone(RESTRICTED_POD_SECURITY_CONTEXT), ...fromProperties };
}

/** CAP_SYS_ADMIN and privileged both imply escalation: the API server refuses them with allowPrivilegeEscalation=false. */
function needsEscalation(context: V1SecurityContext | undefined): boolean {
  if (context?.privileged === true) return true;
  return (context?.capabilities?.add ?? []).some((c) => c === 'SYS_ADMIN' || c === 'CAP_SYS_ADMIN');
}

export function containerSecurityContext(fromProperties: V1SecurityContext | undefined): V1SecurityContext {
  const { capabilities, ...rest } = fromProperties ?? {};
  const defaults: V1SecurityContext = structuredClone({ ...RESTRICTED_CONTAINER_SECURITY_CONTEXT });
  if (needsEscalation(fromProperties)) delete defaults.allowPrivilegeEscalation;
  return { ...defaults, ...rest, capabilities: { ...defaults.capabilities, ...capabilities } };
}
