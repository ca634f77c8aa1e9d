/**
 * The add-ons' namespaces, created by the platform as resources of their own (not by Helm's `createNamespace`),
 * with Pod Security Admission labels: `restricted` enforced wherever the charts' pods satisfy it, the least
 * profile that works where they cannot, and `restricted` always audited and warned about, so that what the lower
 * profile lets through stays visible.
 */
import { RELEASE_NAMESPACES } from './names';

/** A Pod Security Standards profile. */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/** How one add-on namespace is admitted. */
export interface AddonNamespacePolicy {
  /** Profile enforced. */
  readonly podSecurity: PodSecurityLevel;
  /** Why less than `restricted` (required then). */
  readonly reason?: string;
}

/**
 * Every namespace the platform installs add-ons into, with its profile. `kube-system` (metrics-server) is the
 * cluster's own and left alone.
 */
export const ADDON_NAMESPACE_POLICIES: Readonly<Record<string, AddonNamespacePolicy>> = {
  [RELEASE_NAMESPACES.certManager]: { podSecurity: 'restricted' },
  [RELEASE_NAMESPACES.ingressNginx]: { podSecurity: 'restricted' },
  [RELEASE_NAMESPACES.contour]: { podSecurity: 'restricted' },
  [RELEASE_NAMESPACES.linkerd]: { podSecurity: 'restricted' },
  [RELEASE_NAMESPACES.linkerdViz]: { podSecurity: 'restricted' },
  [RELEASE_NAMESPACES.vpa]: { podSecurity: 'restricted' },
  [RELEASE_NAMESPACES.monitoring]: {
    podSecurity: 'privileged',
    reason:
      'node-exporter reads each node through hostNetwork, hostPID and hostPath mounts of /proc, /sys and /, and ' +
      "Alloy tails the node's /var/log through hostPath: baseline forbids all of them",
  },
  [RELEASE_NAMESPACES.linkerdCni]: {
    podSecurity: 'privileged',
    reason:
      "the CNI plugin's installer runs as root and writes the node's CNI configuration and binaries through " +
      'hostPath mounts of /etc/cni/net.d and /opt/cni/bin, which baseline forbids',
  },
};

/** The label that names a namespace (set by the API server on every namespace). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Pod Security Admission labels of an add-on namespace. */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  return {
    'pod-security.kubernetes.io/enforce': level,
    'pod-security.kubernetes.io/enforce-version': 'latest',
    'pod-security.kubernetes.io/audit': 'restricted',
    'pod-security.kubernetes.io/warn': 'restricted',
  };
}

/** The Namespace object of an add-on namespace, or undefined for a namespace the platform does not own. */
export function addonNamespace(
  name: string,
): { metadata: { name: string; labels: Record<string, string> } } | undefined {
  const policy = ADDON_NAMESPACE_POLICIES[name];
  if (policy === undefined) return undefined;
  return {
    metadata: {
      name,
      labels: { 'app.kubernetes.io/managed-by': 'k8s-platform', ...podSecurityLabels(policy.podSecurity) },
    },
  };
}
