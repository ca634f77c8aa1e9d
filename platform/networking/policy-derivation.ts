/**
 * The NetworkPolicies of the app graph, as pure functions of the finished graph (no construct, no chart): for each
 * workload exactly the traffic its declared edges imply (clients in, dependencies out), plus its ingress
 * controllers, its peers, Prometheus to its metrics ports and its egress outside the graph.
 */
import { k8s } from 'cdk8s-plus-27';
import {
  ACME_SOLVER_POD_LABELS,
  ADDON_NAMESPACES,
  LINKERD_ADMIN_PORT,
  NAMESPACE_NAME_LABEL,
  PROMETHEUS_POD_LABELS,
} from '../contract';
import type { PolicyGraph } from '../core/app-graph';
import type { EgressRule, EndpointPort, GraphNode } from '../core/graph';
import { INTERNET_EXCEPT } from './egress';

/** Linkerd's inbound proxy port: meshed clients may connect to it directly. */
export const LINKERD_INBOUND_PORT = 4143;

/** A TCP port of a rule. */
export const tcp = (port: number): k8s.NetworkPolicyPort => ({
  protocol: 'TCP',
  port: k8s.IntOrString.fromNumber(port),
});
/** The pods of a namespace (all, or those carrying `podLabels`). */
export const inNamespace = (namespace: string, podLabels?: Record<string, string>): k8s.NetworkPolicyPeer => ({
  namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
  ...(podLabels ? { podSelector: { matchLabels: podLabels } } : {}),
});
const portsOf = (ports: readonly EndpointPort[], meshed: boolean): k8s.NetworkPolicyPort[] => [
  ...ports.map((p) => tcp(p.port)),
  ...(meshed ? [tcp(LINKERD_INBOUND_PORT)] : []),
];

/** The NetworkPolicy of one workload (or job) of the finished graph. */
export function workloadPolicy(node: GraphNode, graph: PolicyGraph): k8s.KubeNetworkPolicyProps {
  const ingress: k8s.NetworkPolicyIngressRule[] = graph.edgesTo(node).map((e) => ({
    from: [{ podSelector: { matchLabels: e.from.selector } }],
    ports: portsOf(e.ports, node.meshed),
  }));
  // A quorum's own pods, on its peer ports only.
  if (node.peerPorts?.length) {
    ingress.push({
      from: [{ podSelector: { matchLabels: node.selector } }],
      ports: portsOf(node.peerPorts, node.meshed),
    });
  }
  for (const source of graph.ingressSourcesOf(node)) {
    ingress.push({
      from: [inNamespace(source.namespace)],
      ports: portsOf([{ name: '', port: source.port }], node.meshed),
    });
  }
  const scraped = [...node.metricsPorts.map((p) => p.port), ...(node.meshed ? [LINKERD_ADMIN_PORT] : [])];
  if (scraped.length) {
    ingress.push({
      from: [inNamespace(ADDON_NAMESPACES.prometheus, { ...PROMETHEUS_POD_LABELS })],
      ports: scraped.map(tcp),
    });
  }
  if (node.meshed) {
    ingress.push({ from: [inNamespace(ADDON_NAMESPACES['linkerd-viz'])], ports: [tcp(LINKERD_ADMIN_PORT)] });
  }
  const egress: k8s.NetworkPolicyEgressRule[] = [
    ...graph.edgesFrom(node).map((e) => ({
      to: [{ podSelector: { matchLabels: e.to.selector } }],
      ports: portsOf(e.ports, e.to.meshed),
    })),
    ...(node.peerPorts?.length
      ? [{ to: [{ podSelector: { matchLabels: node.selector } }], ports: portsOf(node.peerPorts, node.meshed) }]
      : []),
    ...graph.egressRulesOf(node).map(externalEgressRule),
  ];
  return {
    metadata: { name: node.name },
    spec: { podSelector: { matchLabels: node.selector }, policyTypes: ['Ingress', 'Egress'], ingress, egress },
  };
}

/**
 * Admits the ingress controllers to cert-manager's ACME HTTP-01 solver pods (they serve the challenge token on
 * one port, and need no egress: cert-manager's own self-check comes in through the controller too).
 */
export function acmeSolverPolicy(controllerNamespaces: readonly string[], port: number): k8s.KubeNetworkPolicyProps {
  return {
    metadata: {
      name: 'acme-http01-solver',
      // Its pods are the ACME HTTP-01 solvers cert-manager creates during a challenge: nothing in the manifests
      // matches its selector, by design. The platform has no such rule; kube-score does.
      annotations: { 'kube-score/ignore': 'networkpolicy-targets-pod' },
    },
    spec: {
      podSelector: { matchLabels: { ...ACME_SOLVER_POD_LABELS } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [...controllerNamespaces].sort().map((ns) => inNamespace(ns)), ports: [tcp(port)] }],
    },
  };
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
