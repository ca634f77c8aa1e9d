/**
 * The add-ons' namespaces, created by the platform as resources of their own (not by Helm's `createNamespace`),
 * with Pod Security Admission labels: `restricted` enforced wherever the charts' pods satisfy it, the least
 * profile that works where they cannot, and `restricted` always audited and warned about, so that what the lower
 * profile lets through stays visible; and default-deny ingress NetworkPolicies with the allows each add-on needs.
 */
import {
  LABEL,
  MANAGED_BY,
  NAMESPACE_NAME_LABEL,
  PROMETHEUS_POD_LABELS,
  TEMPO_OTLP,
  podSecurityLabels,
} from '../../contract';
import type { PodSecurityLevel } from '../../contract';
import { CONTROL_PLANE_CALLED_PORTS } from '../control-plane-ports';
import { RELEASE_NAMESPACES } from './names';

/** A Pod Security Standards profile. */

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
  [RELEASE_NAMESPACES.keda]: { podSecurity: 'restricted' },
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

/** The Namespace object of an add-on namespace, or undefined for a namespace the platform does not own. */
export function addonNamespace(
  name: string,
): { metadata: { name: string; labels: Record<string, string> } } | undefined {
  const policy = ADDON_NAMESPACE_POLICIES[name];
  if (policy === undefined) return undefined;
  return {
    metadata: {
      name,
      labels: { [LABEL.managedBy]: MANAGED_BY, ...podSecurityLabels(policy.podSecurity) },
    },
  };
}

/** Who may connect to the pods of one add-on namespace, beyond its own pods and Prometheus. */
export interface NamespaceIngress {
  /**
   * Ports open to any source: what the control plane calls (webhooks, aggregated APIs; its addresses differ per
   * cloud and are not pods) and what the ingress controllers serve to the internet.
   */
  readonly anySource: readonly number[];
  /** Ports open to pods of every namespace: the mesh control plane, the trace intake. */
  readonly allNamespaces?: readonly number[];
  /** Ports open to pods of some other namespaces. */
  readonly fromNamespaces?: readonly { readonly namespaces: readonly string[]; readonly ports: readonly number[] }[];
}

const webhookPorts = (...addons: (keyof typeof CONTROL_PLANE_CALLED_PORTS)[]): number[] =>
  [...new Set(addons.flatMap((a) => CONTROL_PLANE_CALLED_PORTS[a].map((p) => p.port)))].sort((a, b) => a - b);

/**
 * The ingress each add-on namespace admits (egress stays open: add-ons call the API server, whose address differs
 * per cloud, and the internet: ACME servers, chart-managed downloads). Ports are the pods' container ports.
 */
export const ADDON_NAMESPACE_INGRESS: Readonly<Record<string, NamespaceIngress>> = {
  [RELEASE_NAMESPACES.certManager]: { anySource: webhookPorts('cert-manager') },
  // The controller's http and https container ports, and its admission webhook.
  [RELEASE_NAMESPACES.ingressNginx]: { anySource: [80, 443, ...webhookPorts('ingress-nginx')] },
  // Envoy's listeners (listener port + 8000).
  [RELEASE_NAMESPACES.contour]: { anySource: [8080, 8443] },
  // Meshed pods everywhere reach identity (8080), destination (8086) and policy (8090), through their proxies' inbound port 4143.
  [RELEASE_NAMESPACES.linkerd]: { anySource: webhookPorts('linkerd'), allNamespaces: [4143, 8080, 8086, 8090] },
  [RELEASE_NAMESPACES.linkerdViz]: { anySource: webhookPorts('linkerd-viz') },
  [RELEASE_NAMESPACES.monitoring]: {
    anySource: webhookPorts('prometheus', 'prometheus-adapter'),
    // Apps send traces to Tempo's OTLP receivers.
    allNamespaces: [...Object.values(TEMPO_OTLP.ports)],
    fromNamespaces: [
      // Grafana, served through the ingress controllers.
      { namespaces: [RELEASE_NAMESPACES.ingressNginx, RELEASE_NAMESPACES.contour], ports: [3000] },
      // linkerd-viz queries the stack's Prometheus.
      { namespaces: [RELEASE_NAMESPACES.linkerdViz], ports: [9090] },
    ],
  },
  [RELEASE_NAMESPACES.vpa]: { anySource: webhookPorts('vpa') },
  // The external metrics API and the admission webhook; the operator reaches the brokers (their policies admit it).
  [RELEASE_NAMESPACES.keda]: { anySource: webhookPorts('keda') },
  [RELEASE_NAMESPACES.linkerdCni]: { anySource: [] },
};

/** A NetworkPolicy of an add-on namespace, as a plain object. */
export interface AddonNetworkPolicy {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: {
    readonly podSelector: Record<string, never>;
    readonly policyTypes: string[];
    readonly ingress?: Record<string, unknown>[];
  };
}

const tcp = (ports: readonly number[]) => ports.map((port) => ({ protocol: 'TCP', port }));
const inNamespaces = (names: readonly string[]) => ({
  namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...names] }] },
});

/**
 * The NetworkPolicies of an add-on namespace: deny all ingress, then admit its own pods, the platform Prometheus
 * (any port: it scrapes whatever metrics port a chart exposes) and {@link ADDON_NAMESPACE_INGRESS}.
 */
export function addonNetworkPolicies(namespace: string): AddonNetworkPolicy[] {
  const ingress = ADDON_NAMESPACE_INGRESS[namespace];
  if (ingress === undefined) return [];
  const rules: Record<string, unknown>[] = [
    { from: [{ podSelector: {} }] },
    {
      from: [
        {
          ...inNamespaces([RELEASE_NAMESPACES.monitoring]),
          podSelector: { matchLabels: { ...PROMETHEUS_POD_LABELS } },
        },
      ],
    },
    ...(ingress.anySource.length ? [{ ports: tcp(ingress.anySource) }] : []),
    ...(ingress.allNamespaces?.length
      ? [{ from: [{ namespaceSelector: {} }], ports: tcp(ingress.allNamespaces) }]
      : []),
    ...(ingress.fromNamespaces ?? []).map((f) => ({ from: [inNamespaces(f.namespaces)], ports: tcp(f.ports) })),
  ];
  return [
    { metadata: { name: 'default-deny-ingress', namespace }, spec: { podSelector: {}, policyTypes: ['Ingress'] } },
    {
      metadata: { name: 'platform-allow', namespace },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: rules },
    },
  ];
}
