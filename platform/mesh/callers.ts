/** Who calls a meshed workload, by identity: a pure function of the finished app graph (no construct, no chart). */
import type { AppGraph } from '../core/app-graph';
import type { GraphNode } from '../core/graph';
import type { MeshCaller } from './policy';

/**
 * The callers of a meshed workload's ports: its meshed clients in the graph (as their ServiceAccounts), the
 * routes' ingress proxies, and, for a quorum, its own pods on its peer ports.
 */
export function meshCallers(graph: AppGraph, node: GraphNode, namespace: string): MeshCaller[] {
  const fromGraph = graph
    .edgesTo(node)
    .filter((e) => e.from.meshed)
    .flatMap((e) => e.ports.map((p) => ({ identity: { serviceAccount: e.from.name, namespace }, port: p.port })));
  const fromIngress = graph
    .ingressSourcesOf(node)
    .flatMap((s) => (s.identity ? [{ identity: s.identity, port: s.port }] : []));
  const fromPeers = (node.peerPorts ?? []).map((p) => ({
    identity: { serviceAccount: node.name, namespace },
    port: p.port,
  }));
  return [...fromGraph, ...fromIngress, ...fromPeers];
}

/** The ports of a meshed workload that unmeshed callers reach (an add-on's, such as KEDA's operator). */
export function unmeshedPorts(graph: AppGraph, node: GraphNode): number[] {
  return graph.ingressSourcesOf(node).flatMap((s) => (s.identity ? [] : [s.port]));
}
