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
 * Name of the namespace's `NetworkAuthentication` for unmeshed scrapers of the proxy admin port (the platform
 * Prometheus): it matches any address, because pod CIDRs differ per cluster; the NetworkPolicy of each workload is
 * what narrows the admin port to the monitoring namespace's Prometheus pods and linkerd-viz.
 */
export const ADMIN_SCRAPERS_AUTHENTICATION = 'proxy-admin-scrapers';

const POLICY_GROUP = 'policy.linkerd.io';

/** Someone who may call a port of a meshed workload. */
export interface MeshCaller {
  /** The caller's identity. */
  readonly identity: MeshIdentity;
  /** The port it calls. */
  readonly port: number;
}

/** The NetworkAuthentication the admin ports of the app's meshed workloads share (see the constant). */
export function addMeshNamespacePolicy(scope: Construct): void {
  new (networkCrds().NetworkAuthentication)(scope, 'proxy-admin-scrapers', {
    metadata: { name: ADMIN_SCRAPERS_AUTHENTICATION },
    spec: { networks: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] },
  });
}

/**
 * The Servers and authorizations of one meshed workload, from its final list of callers (the chart calls this once
 * every edge and route is declared). A port without callers gets a Server and no authorization: only kubelet
 * probes reach it, which Linkerd authorizes by itself on a Server that has no HTTPRoute (its default probe
 * authorization). The proxy admin port admits linkerd-viz's Prometheus by identity and the platform Prometheus
 * (unmeshed) through {@link ADMIN_SCRAPERS_AUTHENTICATION}.
 */
export function addWorkloadAuthorization(scope: Construct, node: GraphNode, callers: readonly MeshCaller[]): void {
  const servers = [
    ...node.ports.map((p) => ({
      name: `${node.name}-${p.name}`,
      port: p.port,
      proxyProtocol: node.opaquePorts?.includes(p.port) ? 'opaque' : 'unknown',
    })),
    { name: `${node.name}-linkerd-admin`, port: LINKERD_ADMIN_PORT, proxyProtocol: 'HTTP/1' },
  ];
  for (const { name, port, proxyProtocol } of servers) {
    new (serverCrds().ServerV1Beta3)(scope, `server-${port}`, {
      metadata: { name },
      spec: { podSelector: { matchLabels: { ...node.selector } }, port, proxyProtocol },
    });
    const identities =
      port === LINKERD_ADMIN_PORT
        ? [meshIdentity(LINKERD_VIZ_PROMETHEUS)]
        : [...new Set(callers.filter((c) => c.port === port).map((c) => meshIdentity(c.identity)))].sort();
    if (identities.length === 0) continue;
    new (meshTlsCrds().MeshTlsAuthentication)(scope, `mesh-tls-${port}`, {
      metadata: { name },
      spec: { identities },
    });
    authorize(scope, `authorization-${port}`, name, name, 'MeshTLSAuthentication', name);
    if (port === LINKERD_ADMIN_PORT) {
      authorize(
        scope,
        `scrapers-${port}`,
        `${name}-scrapers`,
        name,
        'NetworkAuthentication',
        ADMIN_SCRAPERS_AUTHENTICATION,
      );
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
