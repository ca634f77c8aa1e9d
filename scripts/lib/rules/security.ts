/**
 * Pod Security Standards, profile `restricted` (which includes `baseline`), as documented at
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/ (Kubernetes 1.33), and a read-only root
 * filesystem, which the profile does not require but kube-score, kube-linter and Polaris all check.
 */
import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import { containersOf, podTemplates } from '../pods';
import type { ContainerRef, PodTemplate } from '../pods';
import type { Rule, Violation } from './types';

/** Sysctls the baseline profile allows (all namespaced and isolated from the node). */
export const SAFE_SYSCTLS: ReadonlySet<string> = new Set([
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

/** Volume types the restricted profile allows. */
export const RESTRICTED_VOLUME_TYPES: ReadonlySet<string> = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/** SELinux types the baseline profile allows. */
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const SECCOMP_OK = new Set(['RuntimeDefault', 'Localhost']);
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

function checkSeLinux(
  options: { type?: string; user?: string; role?: string } | undefined,
  where: string,
  fail: (m: string) => void,
): void {
  if (!options) return;
  if (!SELINUX_TYPES.has(options.type ?? '')) {
    fail(`${where}seLinuxOptions.type "${options.type}" is not allowed; remove it or use container_t`);
  }
  if (options.user || options.role) fail(`${where}seLinuxOptions.user and .role must not be set; remove them`);
}

function checkAppArmor(profile: { type?: string } | undefined, where: string, fail: (m: string) => void): void {
  if (profile?.type === 'Unconfined') {
    fail(`${where}appArmorProfile.type Unconfined is not allowed; use RuntimeDefault or remove it`);
  }
}

function podLevelFindings(t: PodTemplate, fail: (m: string) => void): void {
  const spec = t.spec;
  const psc: IPodSecurityContext = spec.securityContext ?? {};
  const at = `${t.specPath}.`;
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[field] === true) fail(`${at}${field} is true; remove it (pods must not share the node's namespaces)`);
  }
  (spec.volumes ?? []).forEach((v, i) => {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (type && !RESTRICTED_VOLUME_TYPES.has(type)) {
      fail(`${at}volumes[${i}] "${v.name}" is of type ${type}; use one of ${[...RESTRICTED_VOLUME_TYPES].join(', ')}`);
    }
  });
  for (const s of psc.sysctls ?? []) {
    if (!SAFE_SYSCTLS.has(s.name)) fail(`${at}securityContext.sysctls "${s.name}" is not a safe sysctl; remove it`);
  }
  if (psc.runAsUser === 0) fail(`${at}securityContext.runAsUser is 0 (root); use a non-zero uid`);
  if (psc.seccompProfile?.type !== undefined && !SECCOMP_OK.has(psc.seccompProfile.type)) {
    fail(`${at}securityContext.seccompProfile.type ${psc.seccompProfile.type} is not allowed; use RuntimeDefault`);
  }
  checkSeLinux(psc.seLinuxOptions, `${at}securityContext.`, fail);
  checkAppArmor(psc.appArmorProfile, `${at}securityContext.`, fail);
  if (psc.windowsOptions?.hostProcess === true)
    fail(`${at}securityContext.windowsOptions.hostProcess must not be true`);
  for (const [key, value] of Object.entries(t.metadata.annotations ?? {})) {
    if (key.startsWith(APPARMOR_ANNOTATION) && value !== 'runtime/default' && !value.startsWith('localhost/')) {
      fail(`annotation ${key}: "${value}" is not allowed; use runtime/default`);
    }
  }
}

function containerFindings(t: PodTemplate, ref: ContainerRef, fail: (m: string) => void): void {
  const psc: IPodSecurityContext = t.spec.securityContext ?? {};
  const sc: ISecurityContext = ref.container.securityContext ?? {};
  const at = `${t.specPath}.${ref.label}: `;
  if (sc.privileged === true) fail(`${at}privileged is true; remove it`);
  if (sc.allowPrivilegeEscalation !== false) fail(`${at}set securityContext.allowPrivilegeEscalation: false`);
  const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
  if (nonRoot !== true) fail(`${at}set securityContext.runAsNonRoot: true (on the container or the pod)`);
  if (sc.runAsUser === 0) fail(`${at}securityContext.runAsUser is 0 (root); use a non-zero uid`);
  const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
  if (seccomp === undefined) {
    fail(`${at}set securityContext.seccompProfile.type: RuntimeDefault (on the container or the pod)`);
  } else if (!SECCOMP_OK.has(seccomp)) {
    fail(`${at}securityContext.seccompProfile.type ${seccomp} is not allowed; use RuntimeDefault`);
  }
  const caps = sc.capabilities ?? {};
  if (!(caps.drop ?? []).includes('ALL')) fail(`${at}set securityContext.capabilities.drop: [ALL]`);
  const added = (caps.add ?? []).filter((c) => c !== 'NET_BIND_SERVICE');
  if (added.length > 0) {
    fail(`${at}capabilities.add ${added.join(', ')} is not allowed; only NET_BIND_SERVICE may be added`);
  }
  if (sc.procMount !== undefined && sc.procMount !== 'Default') fail(`${at}procMount must be Default; remove it`);
  checkSeLinux(sc.seLinuxOptions, `${at}securityContext.`, fail);
  checkAppArmor(sc.appArmorProfile, `${at}securityContext.`, fail);
  if (sc.windowsOptions?.hostProcess === true) fail(`${at}securityContext.windowsOptions.hostProcess must not be true`);
  (ref.container.ports ?? []).forEach((p, i) => {
    if (p.hostPort) fail(`${at}ports[${i}].hostPort ${p.hostPort} is not allowed; remove it and use a Service`);
  });
  const handlers: [string, unknown][] = [
    ['livenessProbe', ref.container.livenessProbe],
    ['readinessProbe', ref.container.readinessProbe],
    ['startupProbe', ref.container.startupProbe],
    ['lifecycle.postStart', ref.container.lifecycle?.postStart],
    ['lifecycle.preStop', ref.container.lifecycle?.preStop],
  ];
  for (const [name, handler] of handlers) {
    const h = handler as { httpGet?: { host?: string }; tcpSocket?: { host?: string } } | undefined;
    if (h?.httpGet?.host || h?.tcpSocket?.host) {
      fail(`${at}${name} sets a host; probes and hooks may only target the pod itself, remove the host`);
    }
  }
}

/** `pss-restricted`: the Pod Security Standards restricted profile (baseline included) on every pod template. */
export const pssRestrictedRule: Rule = {
  id: 'pss-restricted',
  summary: 'Pods meet the Pod Security Standards "restricted" profile (which includes "baseline").',
  why: 'Namespaces enforce this profile at admission: a pod that breaks it is rejected at deploy time, and the controls limit what a compromised container can do to the node.',
  fix: 'Use the platform security contexts (non-root, no privilege escalation, seccomp RuntimeDefault, drop ALL) and only the allowed volume types.',
  check({ objects }) {
    const out: Violation[] = [];
    for (const t of podTemplates(objects)) {
      const fail = (message: string): void => void out.push({ target: t.owner, message });
      podLevelFindings(t, fail);
      for (const ref of containersOf(t.spec)) containerFindings(t, ref, fail);
    }
    return out;
  },
};

/** `read-only-root-filesystem`: every container mounts its root filesystem read-only. */
export const readOnlyRootFilesystemRule: Rule = {
  id: 'read-only-root-filesystem',
  summary: 'Every container sets securityContext.readOnlyRootFilesystem: true.',
  why: 'An attacker who gets code execution cannot drop binaries or alter the image; writable paths become explicit volumes.',
  fix: 'Set readOnlyRootFilesystem: true and mount an emptyDir where the program writes (/tmp, caches).',
  check({ objects }) {
    const out: Violation[] = [];
    for (const t of podTemplates(objects)) {
      for (const ref of containersOf(t.spec, ['initContainers', 'containers'])) {
        if (ref.container.securityContext?.readOnlyRootFilesystem !== true) {
          out.push({
            target: t.owner,
            message: `${t.specPath}.${ref.label}: set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where it writes`,
          });
        }
      }
    }
    return out;
  },
};
