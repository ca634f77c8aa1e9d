/**
 * Linkerd authorization from the app graph (policy.linkerd.io): a `Server` per port of each meshed workload, and
 * for each an `AuthorizationPolicy` whose `MeshTLSAuthentication` names exactly the ServiceAccounts of the callers
 * the graph declares (the same edges the NetworkPolicies are made of), so that any other identity is refused.
 *
 * Like the rest of `mesh/`, this takes plain values and never imports the chart.
 */
import type { Construct } from 'constructs';
import type { MeshIdentity } from '../contract';
import { LINKERD_ADMIN_PORT, LINKERD_VIZ_PROMETHEUS, meshIdentity } from '../contract';
import type { GraphNode } from '../core/graph';
import type * as AuthorizationPolicyCrds from '../crds/authorizationpolicies-policy.linkerd.io';
import type * as MeshTlsCrds from '../crds/meshtlsauthentications-policy.linkerd.io';
import type * as NetworkAuthenticationCrds from '../crds/networkauthentications-policy.linkerd.io';
import type * as ServerCrds from '../crds/servers-policy.linkerd.io';

/* eslint-disable @typescript-eslint/no-require-imports -- the CRD modules load with the first meshed workload */
const serverCrds = (): typeof ServerCrds => require('../crds/servers-policy.linkerd.io');
const authorizationCrds = (): typeof AuthorizationPolicyCrds =>
  require('../crds/authorizationpolicies-policy.linkerd.io');
const meshTlsCrds = (): typeof MeshTlsCrds => require('../crds/meshtlsauthentications-policy.linkerd.io');
const networkCrds = (): typeof NetworkAuthenticationCrds => require('../crds/networkauthentications-policy.linkerd.io');
/* eslint-enable @typescript-eslint/no-require-imports */

/** The namespace annotation that sets the inbound policy of every meshed pod without a Server on its port. */
export const LINKERD_DEFAULT_INBOUND_POLICY_ANNOTATION = 'config.linkerd.io/default-inbound-policy';
/** Default inbound policy of a meshed app namespace: nothing is allowed that no AuthorizationPolicy admits. */
export const DEFAULT_INBOUND_POLICY = 'deny';
/**
 * Name of the namespace's `NetworkAuthentication` for the unmeshed scrapers of metrics and proxy admin ports (the
 * platform Prometheus): it matches any address, because pod CIDRs differ per cluster; each workload's
 * NetworkPolicy is what narrows those ports to the monitoring namespace's Prometheus pods (and linkerd-viz).
 */
export const SCRAPERS_AUTHENTICATION = 'prometheus-scrapers';

const POLICY_GROUP = 'policy.linkerd.io';

/** Someone who may call a port of a meshed workload. */
export interface MeshCaller {
  /** The caller's identity. */
  readonly identity: MeshIdentity;
  /** The port it calls. */
  readonly port: number;
}

/** The NetworkAuthentication the scraped ports of the app's meshed workloads share (see the constant). */
export function addMeshNamespacePolicy(scope: Construct): void {
  new (networkCrds().NetworkAuthentication)(scope, 'prometheus-scrapers', {
    metadata: { name: SCRAPERS_AUTHENTICATION },
    spec: { networks: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] },
  });
}

/**
 * The Servers and authorizations of one meshed workload, from its final list of callers (the chart calls this once
 * every edge and route is declared):
 * - each port admits the identities of its callers; a port without callers gets a Server and no authorization,
 *   so only kubelet probes reach it, which Linkerd authorizes by itself on a Server that has no HTTPRoute (its
 *   default probe authorization);
 * - metrics ports and the proxy admin port also admit the platform Prometheus, which is not meshed, through
 *   {@link SCRAPERS_AUTHENTICATION}; the admin port admits linkerd-viz's Prometheus by identity too;
 * - `unmeshedPorts` (a broker's client port that KEDA's operator reads queue depths on) admit unmeshed callers
 *   the same way, the workload's NetworkPolicy narrowing them to the add-on's namespace.
 */
export function addWorkloadAuthorization(
  scope: Construct,
  node: GraphNode,
  callers: readonly MeshCaller[],
  unmeshedPorts: readonly number[] = [],
): void {
  const scraped = new Set([...node.metricsPorts.map((p) => p.port), LINKERD_ADMIN_PORT, ...unmeshedPorts]);
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
  for (const { name, port, proxyProtocol } of servers) {
    new (serverCrds().ServerV1Beta3)(scope, `server-${port}`, {
      metadata: { name },
      spec: { podSelector: { matchLabels: { ...node.selector } }, port, proxyProtocol },
    });
    const identities =
      port === LINKERD_ADMIN_PORT
        ? [meshIdentity(LINKERD_VIZ_PROMETHEUS)]
        : [...new Set(callers.filter((c) => c.port === port).map((c) => meshIdentity(c.identity)))].sort();
    if (identities.length) {
      new (meshTlsCrds().MeshTlsAuthentication)(scope, `mesh-tls-${port}`, {
        metadata: { name },
        spec: { identities },
      });
      authorize(scope, `authorization-${port}`, name, name, 'MeshTLSAuthentication', name);
    }
    if (scraped.has(port)) {
      authorize(scope, `scrapers-${port}`, `${name}-scrapers`, name, 'NetworkAuthentication', SCRAPERS_AUTHENTICATION);
    }
  }
}

/** An AuthorizationPolicy admitting one authentication to a Server. */
function authorize(
  scope: Construct,
  id: string,
  name: string,
  server: string,
  kind: 'MeshTLSAuthentication' | 'NetworkAuthentication',
  authentication: string,
): void {
  new (authorizationCrds().AuthorizationPolicy)(scope, id, {
    metadata: { name },
    spec: {
      targetRef: { group: POLICY_GROUP, kind: 'Server', name: server },
      requiredAuthenticationRefs: [{ group: POLICY_GROUP, kind, name: authentication }],
    },
  });
}
