/**
 * Linkerd authorization of a meshed workload, as pure functions of the finished app graph (no construct, no
 * chart): who calls each of its ports, by identity, and the Servers, MeshTLSAuthentications and
 * AuthorizationPolicies that admit exactly them (rendered by `policy.ts`).
 */
import type { MeshIdentity } from '../contract';
import { LINKERD_ADMIN_PORT, LINKERD_VIZ_PROMETHEUS, meshIdentity } from '../contract';
import type { AppGraph } from '../core/app-graph';
import type { GraphNode } from '../core/graph';

/**
 * Name of the namespace's `NetworkAuthentication` for the unmeshed scrapers of metrics and proxy admin ports (the
 * platform Prometheus): it matches any address, because pod CIDRs differ per cluster; each workload's
 * NetworkPolicy is what narrows those ports to the monitoring namespace's Prometheus pods (and linkerd-viz).
 */
export const SCRAPERS_AUTHENTICATION = 'prometheus-scrapers';

/** Someone who may call a port of a meshed workload. */
export interface MeshCaller {
  /** The caller's identity. */
  readonly identity: MeshIdentity;
  /** The port it calls. */
  readonly port: number;
}

/** One Linkerd policy object of a workload: its construct id, kind, name and spec. */
export type MeshPolicyObject = { readonly id: string; readonly name: string } & (
  | {
      readonly kind: 'Server';
      readonly spec: { podSelector: { matchLabels: Record<string, string> }; port: number; proxyProtocol: string };
    }
  | { readonly kind: 'MeshTLSAuthentication'; readonly spec: { identities: string[] } }
  | {
      readonly kind: 'AuthorizationPolicy';
      readonly spec: {
        targetRef: { group: string; kind: 'Server'; name: string };
        requiredAuthenticationRefs: { group: string; kind: string; name: string }[];
      };
    }
);

const POLICY_GROUP = 'policy.linkerd.io';

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

/**
 * The Servers and authorizations of one meshed workload, from its final list of callers:
 * - each port admits the identities of its callers; a port without callers gets a Server and no authorization,
 *   so only kubelet probes reach it, which Linkerd authorizes by itself on a Server that has no HTTPRoute (its
 *   default probe authorization);
 * - metrics ports and the proxy admin port also admit the platform Prometheus, which is not meshed, through
 *   {@link SCRAPERS_AUTHENTICATION}; the admin port admits linkerd-viz's Prometheus by identity too;
 * - `unmeshed` ports (a broker's client port that KEDA's operator reads queue depths on) admit unmeshed callers
 *   the same way, the workload's NetworkPolicy narrowing them to the add-on's namespace.
 */
export function workloadAuthorizations(
  node: GraphNode,
  callers: readonly MeshCaller[],
  unmeshed: readonly number[] = [],
): MeshPolicyObject[] {
  const scraped = new Set([...node.metricsPorts.map((p) => p.port), LINKERD_ADMIN_PORT, ...unmeshed]);
  const servers = [
    ...node.ports,
    ...(node.peerPorts ?? []),
    ...node.metricsPorts.filter((m) => !node.ports.some((p) => p.port === m.port)),
  ]
    .map((p) => ({
      name: `${node.name}-${p.name}`,
      port: p.port,
      proxyProtocol: node.opaquePorts?.includes(p.port) ? 'opaque' : 'unknown',
    }))
    .concat({ name: `${node.name}-linkerd-admin`, port: LINKERD_ADMIN_PORT, proxyProtocol: 'HTTP/1' });
  const authorize = (id: string, name: string, server: string, kind: string, authentication: string) => ({
    id,
    name,
    kind: 'AuthorizationPolicy' as const,
    spec: {
      targetRef: { group: POLICY_GROUP, kind: 'Server' as const, name: server },
      requiredAuthenticationRefs: [{ group: POLICY_GROUP, kind, name: authentication }],
    },
  });
  const objects: MeshPolicyObject[] = [];
  for (const { name, port, proxyProtocol } of servers) {
    objects.push({
      id: `server-${port}`,
      name,
      kind: 'Server',
      spec: { podSelector: { matchLabels: { ...node.selector } }, port, proxyProtocol },
    });
    const identities =
      port === LINKERD_ADMIN_PORT
        ? [meshIdentity(LINKERD_VIZ_PROMETHEUS)]
        : [...new Set(callers.filter((c) => c.port === port).map((c) => meshIdentity(c.identity)))].sort();
    if (identities.length) {
      objects.push({ id: `mesh-tls-${port}`, name, kind: 'MeshTLSAuthentication', spec: { identities } });
      objects.push(authorize(`authorization-${port}`, name, name, 'MeshTLSAuthentication', name));
    }
    if (scraped.has(port)) {
      objects.push(
        authorize(`scrapers-${port}`, `${name}-scrapers`, name, 'NetworkAuthentication', SCRAPERS_AUTHENTICATION),
      );
    }
  }
  return objects;
}
