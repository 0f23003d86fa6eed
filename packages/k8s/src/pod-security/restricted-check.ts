import type { V1Container, V1PodSpec, V1SecurityContext } from '@kubernetes/client-node';

/**
 * A pure check of a pod against the Pod Security Standards' "restricted" profile (which includes
 * "baseline"), control by control as kubernetes.io/docs/concepts/security/pod-security-standards
 * lists them for the latest version. Kubernetes 1.20 (the only API server buildable here) has no
 * Pod Security admission, so this is what unit tests and the e2e's admission webhook use; a
 * namespace labelled pod-security.kubernetes.io/enforce=restricted on ≥1.25 applies the same rules.
 */

export interface Violation {
  /** The control's name as the documentation titles it. */
  control: string;
  /** Where in the pod: `spec.containers[0].securityContext.allowPrivilegeEscalation`. */
  path: string;
  message: string;
}

const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const RESTRICTED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
const SELINUX_TYPES = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

interface Named {
  container: V1Container;
  path: string;
}

function allContainers(spec: V1PodSpec): Named[] {
  return [
    ...(spec.initContainers ?? []).map((c, i) => ({ container: c, path: `spec.initContainers[${i}]` })),
    ...spec.containers.map((c, i) => ({ container: c, path: `spec.containers[${i}]` })),
    ...(spec.ephemeralContainers ?? []).map((c, i) => ({
      container: c as V1Container,
      path: `spec.ephemeralContainers[${i}]`,
    })),
  ];
}

export function checkRestricted(
  spec: V1PodSpec,
  annotations: Readonly<Record<string, string>> = {},
): Violation[] {
  const out: Violation[] = [];
  const add = (control: string, path: string, message: string) => out.push({ control, path, message });
  const pod = spec.securityContext ?? {};
  const containers = allContainers(spec);
  const sc = (c: Named): V1SecurityContext => c.container.securityContext ?? {};

  // ---- baseline ----
  if (pod.windowsOptions?.hostProcess === true)
    add('HostProcess', 'spec.securityContext.windowsOptions.hostProcess', 'must not be true');
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[field] === true) add('Host Namespaces', `spec.${field}`, 'must not be true');
  }
  for (const [i, v] of (spec.volumes ?? []).entries()) {
    if (v.hostPath) add('HostPath Volumes', `spec.volumes[${i}].hostPath`, 'hostPath volumes are forbidden');
    // Deserialised objects (client-node) may carry unset fields as undefined keys.
    const kinds = Object.entries(v)
      .filter(([k, value]) => k !== 'name' && value !== undefined && value !== null)
      .map(([k]) => k);
    for (const kind of kinds) {
      if (!RESTRICTED_VOLUMES.includes(kind))
        add('Volume Types', `spec.volumes[${i}].${kind}`, `volume type ${kind} is not allowed`);
    }
  }
  for (const [i, s] of (pod.sysctls ?? []).entries()) {
    if (!SAFE_SYSCTLS.has(s.name))
      add('Sysctls', `spec.securityContext.sysctls[${i}]`, `${s.name} is not a safe sysctl`);
  }
  const seLinux = (path: string, o: { type?: string; user?: string; role?: string } | undefined) => {
    if (!o) return;
    if (!SELINUX_TYPES.has(o.type ?? '')) add('SELinux', `${path}.type`, `${o.type} is not allowed`);
    if (o.user) add('SELinux', `${path}.user`, 'must not be set');
    if (o.role) add('SELinux', `${path}.role`, 'must not be set');
  };
  seLinux('spec.securityContext.seLinuxOptions', pod.seLinuxOptions);
  const appArmor = (path: string, type: string | undefined) => {
    if (type !== undefined && type !== 'RuntimeDefault' && type !== 'Localhost')
      add('AppArmor', path, `${type} is not allowed`);
  };
  appArmor(
    'spec.securityContext.appArmorProfile.type',
    (pod as { appArmorProfile?: { type?: string } }).appArmorProfile?.type,
  );
  for (const [key, value] of Object.entries(annotations)) {
    if (
      key.startsWith(APPARMOR_ANNOTATION) &&
      value !== 'runtime/default' &&
      !value.startsWith('localhost/')
    ) {
      add('AppArmor', `metadata.annotations['${key}']`, `${value} is not allowed`);
    }
  }

  // ---- restricted: pod level ----
  if (pod.runAsUser === 0) add('Running as Non-root user', 'spec.securityContext.runAsUser', 'must not be 0');
  const podSeccomp = pod.seccompProfile?.type;
  if (podSeccomp === 'Unconfined')
    add('Seccomp', 'spec.securityContext.seccompProfile.type', 'must not be Unconfined');

  for (const c of containers) {
    const s = sc(c);
    const at = `${c.path}.securityContext`;
    // baseline, per container
    if (s.windowsOptions?.hostProcess === true)
      add('HostProcess', `${at}.windowsOptions.hostProcess`, 'must not be true');
    if (s.privileged === true) add('Privileged Containers', `${at}.privileged`, 'must not be true');
    for (const cap of s.capabilities?.add ?? []) {
      // Baseline allows a short list; restricted narrows it to NET_BIND_SERVICE alone.
      if (cap.replace(/^CAP_/, '') !== 'NET_BIND_SERVICE') {
        add('Capabilities', `${at}.capabilities.add`, `only NET_BIND_SERVICE may be added, not ${cap}`);
      }
    }
    for (const [j, p] of (c.container.ports ?? []).entries()) {
      if (p.hostPort !== undefined && p.hostPort !== 0)
        add('Host Ports', `${c.path}.ports[${j}].hostPort`, 'must be unset or 0');
    }
    seLinux(`${at}.seLinuxOptions`, s.seLinuxOptions);
    appArmor(
      `${at}.appArmorProfile.type`,
      (s as { appArmorProfile?: { type?: string } }).appArmorProfile?.type,
    );
    if (s.procMount !== undefined && s.procMount !== 'Default')
      add('/proc Mount Type', `${at}.procMount`, 'must be Default');
    // restricted, per container
    if (s.allowPrivilegeEscalation !== false)
      add('Privilege Escalation', `${at}.allowPrivilegeEscalation`, 'must be false');
    if (s.runAsNonRoot === false || (s.runAsNonRoot !== true && pod.runAsNonRoot !== true)) {
      add('Running as Non-root', `${at}.runAsNonRoot`, 'must be true (here or in spec.securityContext)');
    }
    if (s.runAsUser === 0) add('Running as Non-root user', `${at}.runAsUser`, 'must not be 0');
    const seccomp = s.seccompProfile?.type;
    if (seccomp === 'Unconfined') add('Seccomp', `${at}.seccompProfile.type`, 'must not be Unconfined');
    else if (seccomp === undefined && podSeccomp !== 'RuntimeDefault' && podSeccomp !== 'Localhost') {
      add(
        'Seccomp',
        `${at}.seccompProfile.type`,
        'must be RuntimeDefault or Localhost (here or in spec.securityContext)',
      );
    }
    if (!(s.capabilities?.drop ?? []).some((d) => d === 'ALL'))
      add('Capabilities', `${at}.capabilities.drop`, 'must include ALL');
  }
  return out;
}
