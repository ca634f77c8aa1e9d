/**
 * Linkerd authorization from the app graph (policy.linkerd.io): a `Server` per port of each meshed workload, and
 * for each an `AuthorizationPolicy` whose `MeshTLSAuthentication` names exactly the ServiceAccounts of the callers
 * the graph declares (the same edges the NetworkPolicies are made of), so that any other identity is refused.
 *
 * Like the rest of `mesh/`, this takes plain values and never imports the chart.
 */
import type { Construct } from 'constructs';
import type { GraphNode } from '../core/graph';
import type * as AuthorizationPolicyCrds from '../crds/authorizationpolicies-policy.linkerd.io';
import type * as MeshTlsCrds from '../crds/meshtlsauthentications-policy.linkerd.io';
import type * as NetworkAuthenticationCrds from '../crds/networkauthentications-policy.linkerd.io';
import type * as ServerCrds from '../crds/servers-policy.linkerd.io';
import type { MeshCaller } from './authorization-derivation';
import { SCRAPERS_AUTHENTICATION, workloadAuthorizations } from './authorization-derivation';

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
export type { MeshCaller } from './authorization-derivation';
export { SCRAPERS_AUTHENTICATION };

/** The NetworkAuthentication the scraped ports of the app's meshed workloads share (see the constant). */
export function addMeshNamespacePolicy(scope: Construct): void {
  new (networkCrds().NetworkAuthentication)(scope, 'prometheus-scrapers', {
    metadata: { name: SCRAPERS_AUTHENTICATION },
    spec: { networks: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] },
  });
}

/**
 * Adds the Servers and authorizations of one meshed workload, from its final list of callers (see
 * `workloadAuthorizations` in `authorization-derivation.ts`; the chart calls this at render, from the whole graph).
 */
export function addWorkloadAuthorization(
  scope: Construct,
  node: GraphNode,
  callers: readonly MeshCaller[],
  unmeshedPorts: readonly number[] = [],
): void {
  for (const o of workloadAuthorizations(node, callers, unmeshedPorts)) {
    const metadata = { name: o.name };
    if (o.kind === 'Server') new (serverCrds().ServerV1Beta3)(scope, o.id, { metadata, spec: o.spec });
    else if (o.kind === 'MeshTLSAuthentication')
      new (meshTlsCrds().MeshTlsAuthentication)(scope, o.id, { metadata, spec: o.spec });
    else new (authorizationCrds().AuthorizationPolicy)(scope, o.id, { metadata, spec: o.spec });
  }
}
