/**
 * NetworkPolicies of an app: a namespace-wide default deny and DNS egress for every pod (created with the chart),
 * and the per-workload and ACME solver policies derived from the finished graph at synth (`policy-derivation.ts`).
 */
import type { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { ADDON_NAMESPACES } from '../contract';
import type { PolicyGraph } from '../core/app-graph';
import type { GraphNode } from '../core/graph';
import { acmeSolverPolicy, inNamespace, tcp, workloadPolicy } from './policy-derivation';

export type { IngressSource } from '../core/app-graph';
export { LINKERD_INBOUND_PORT, externalEgressRule } from './policy-derivation';

/** Linkerd control-plane ports a proxy calls: identity, destination, policy. */
export const LINKERD_CONTROL_PLANE_PORTS: readonly number[] = [8080, 8086, 8090];

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

/** Adds the policy admitting the ingress controllers of these namespaces to the ACME HTTP-01 solver pods. */
export function addAcmeSolverPolicy(
  scope: Construct,
  controllerNamespaces: readonly string[],
  port: number,
): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, 'acme-http01-solver', acmeSolverPolicy(controllerNamespaces, port));
}

/** Adds the NetworkPolicy of one workload of the finished graph (see `workloadPolicy`). */
export function addWorkloadPolicy(scope: Construct, node: GraphNode, graph: PolicyGraph): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, 'network-policy', workloadPolicy(node, graph));
}
