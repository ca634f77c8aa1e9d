/**
 * NetworkPolicies derived from the app graph: a namespace-wide default deny, DNS egress for every pod, and for
 * each workload exactly the traffic its declared edges imply (clients in, dependencies out), plus Prometheus to
 * its metrics ports.
 */
import { Lazy } from 'cdk8s';
import type { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import {
  ACME_SOLVER_POD_LABELS,
  ADDON_NAMESPACES,
  LINKERD_ADMIN_PORT,
  NAMESPACE_NAME_LABEL,
  PROMETHEUS_POD_LABELS,
} from '../contract';
import type { MeshIdentity } from '../contract';
import type { EndpointPort, GraphEdge, GraphNode } from '../core/graph';
import type { EgressRule } from './egress';
import { INTERNET_EXCEPT } from './egress';

/** Label every namespace carries with its own name (set by Kubernetes since 1.21). */
/** Linkerd's inbound proxy port: meshed clients may connect to it directly. */
export const LINKERD_INBOUND_PORT = 4143;
/** Linkerd control-plane ports a proxy calls: identity, destination, policy. */
export const LINKERD_CONTROL_PLANE_PORTS: readonly number[] = [8080, 8086, 8090];

const tcp = (port: number): k8s.NetworkPolicyPort => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
const inNamespace = (namespace: string, podLabels?: Record<string, string>): k8s.NetworkPolicyPeer => ({
  namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
  ...(podLabels ? { podSelector: { matchLabels: podLabels } } : {}),
});
const portsOf = (ports: readonly EndpointPort[], meshed: boolean): k8s.NetworkPolicyPort[] => [
  ...ports.map((p) => tcp(p.port)),
  ...(meshed ? [tcp(LINKERD_INBOUND_PORT)] : []),
];

/** Default deny of all ingress and egress in the namespace, and DNS egress for every pod. */
export function addNamespacePolicies(scope: Construct, meshed: boolean): void {
  new k8s.KubeNetworkPolicy(scope, 'default-deny', {
    metadata: { name: 'default-deny' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  });
  new k8s.KubeNetworkPolicy(scope, 'allow-dns', {
    metadata: { name: 'allow-dns' },
    spec: {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [inNamespace('kube-system', { 'k8s-app': 'kube-dns' })],
          ports: [
            { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
            { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
          ],
        },
        // Meshed proxies talk to the Linkerd control plane (identity, destination, policy).
        ...(meshed
          ? [{ to: [inNamespace(ADDON_NAMESPACES.linkerd)], ports: LINKERD_CONTROL_PLANE_PORTS.map(tcp) }]
          : []),
      ],
    },
  });
}

/** An ingress controller admitted to a workload's port. */
export interface IngressSource {
  /** Namespace of the controller's pods. */
  readonly namespace: string;
  /** The workload port it forwards to. */
  readonly port: number;
  /** The controller's Linkerd identity, by which meshed workloads authorize it. */
  readonly identity?: MeshIdentity;
}

/**
 * Admits the ingress controllers to cert-manager's ACME HTTP-01 solver pods (they serve the challenge token on
 * one port, and need no egress: cert-manager's own self-check comes in through the controller too).
 */
export function addAcmeSolverPolicy(
  scope: Construct,
  controllerNamespaces: () => readonly string[],
  port: number,
): void {
  new k8s.KubeNetworkPolicy(scope, 'acme-http01-solver', {
    metadata: {
      name: 'acme-http01-solver',
      // Its pods are the ACME HTTP-01 solvers cert-manager creates during a challenge: nothing in the manifests
      // matches its selector, by design. The platform has no such rule; kube-score does.
      annotations: { 'kube-score/ignore': 'networkpolicy-targets-pod' },
    },
    spec: {
      podSelector: { matchLabels: { ...ACME_SOLVER_POD_LABELS } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: Lazy.any({
        produce: (): k8s.NetworkPolicyIngressRule[] => [
          { from: controllerNamespaces().map((ns) => inNamespace(ns)), ports: [tcp(port)] },
        ],
      }),
    },
  });
}

/** Edges grouped by their two ends, per edge list; rebuilt when edges were added since. */
const edgeIndex = new WeakMap<
  readonly GraphEdge[],
  { size: number; from: Map<GraphNode, GraphEdge[]>; to: Map<GraphNode, GraphEdge[]> }
>();

/**
 * The edges whose `end` is `node`, in declaration order. Every workload's policy asks this of the same list:
 * grouping it once keeps a synth linear in the number of workloads (filtering it per workload was quadratic).
 */
function edgesAt(edges: readonly GraphEdge[], end: 'from' | 'to', node: GraphNode): readonly GraphEdge[] {
  let index = edgeIndex.get(edges);
  if (!index || index.size !== edges.length) {
    index = { size: edges.length, from: new Map(), to: new Map() };
    for (const edge of edges) {
      for (const side of ['from', 'to'] as const) {
        const list = index[side].get(edge[side]);
        if (list) list.push(edge);
        else index[side].set(edge[side], [edge]);
      }
    }
    edgeIndex.set(edges, index);
  }
  return index[end].get(node) ?? [];
}

/** The workload's own policy; rules are computed at synth, after every edge and route is declared. */
export function addWorkloadPolicy(
  scope: Construct,
  node: GraphNode,
  graph: {
    edges: () => readonly GraphEdge[];
    ingressSources: (node: GraphNode) => readonly IngressSource[];
    /** Egress to destinations outside the app graph. */
    externalEgress?: (node: GraphNode) => readonly EgressRule[];
  },
): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, 'network-policy', {
    metadata: { name: node.name },
    spec: {
      podSelector: { matchLabels: node.selector },
      policyTypes: ['Ingress', 'Egress'],
      ingress: Lazy.any({
        produce: (): k8s.NetworkPolicyIngressRule[] => {
          const rules: k8s.NetworkPolicyIngressRule[] = edgesAt(graph.edges(), 'to', node).map((e) => ({
            from: [{ podSelector: { matchLabels: e.from.selector } }],
            ports: portsOf(e.ports, node.meshed),
          }));
          // A quorum's own pods, on its peer ports only.
          if (node.peerPorts?.length) {
            rules.push({
              from: [{ podSelector: { matchLabels: node.selector } }],
              ports: portsOf(node.peerPorts, node.meshed),
            });
          }
          for (const source of graph.ingressSources(node)) {
            rules.push({
              from: [inNamespace(source.namespace)],
              ports: portsOf([{ name: '', port: source.port }], node.meshed),
            });
          }
          const scraped = [...node.metricsPorts.map((p) => p.port), ...(node.meshed ? [LINKERD_ADMIN_PORT] : [])];
          if (scraped.length) {
            rules.push({
              from: [inNamespace(ADDON_NAMESPACES.prometheus, { ...PROMETHEUS_POD_LABELS })],
              ports: scraped.map(tcp),
            });
          }
          if (node.meshed) {
            rules.push({ from: [inNamespace(ADDON_NAMESPACES['linkerd-viz'])], ports: [tcp(LINKERD_ADMIN_PORT)] });
          }
          return rules;
        },
      }),
      egress: Lazy.any({
        produce: (): k8s.NetworkPolicyEgressRule[] => [
          ...edgesAt(graph.edges(), 'from', node).map((e) => ({
            to: [{ podSelector: { matchLabels: e.to.selector } }],
            ports: portsOf(e.ports, e.to.meshed),
          })),
          ...(node.peerPorts?.length
            ? [{ to: [{ podSelector: { matchLabels: node.selector } }], ports: portsOf(node.peerPorts, node.meshed) }]
            : []),
          ...(graph.externalEgress?.(node) ?? []).map(externalEgressRule),
        ],
      }),
    },
  });
}

/** The NetworkPolicy rule allowing egress outside the app graph. */
export function externalEgressRule(rule: EgressRule): k8s.NetworkPolicyEgressRule {
  const to: k8s.NetworkPolicyPeer[] =
    rule.to === 'internet'
      ? [
          { ipBlock: { cidr: '0.0.0.0/0', except: [...INTERNET_EXCEPT.ipv4] } },
          { ipBlock: { cidr: '::/0', except: [...INTERNET_EXCEPT.ipv6] } },
        ]
      : 'namespace' in rule.to
        ? [inNamespace(rule.to.namespace, rule.to.podLabels && { ...rule.to.podLabels })]
        : [{ ipBlock: { cidr: rule.to.cidr, ...(rule.to.except?.length ? { except: [...rule.to.except] } : {}) } }];
  return { to, ports: rule.ports.map(tcp) };
}
