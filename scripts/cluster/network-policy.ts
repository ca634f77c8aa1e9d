/**
 * NetworkPolicy enforcement for the real nodes: kube-router's policy controller alone (iptables + ipset; the one
 * k3s embeds), built from its release source by build-tools.sh `node`. The machines' kernel has no nftables `queue`
 * expression, so SIG Network's nftables-queue enforcer cannot run here; kube-router needs only iptables (through
 * nft_compat), ipset, conntrack and physdev, which it has.
 *
 * kube-router enforces the policies of the pods on its own node: those whose `status.hostIP` is one of its Node's
 * addresses. The real nodes share the cluster's network namespace, hence one netfilter, as they share one
 * kube-proxy; three kube-routers would each rewrite the same chains with a third of the pods. So one runs for all:
 * as the node {@link FIREWALL_NODE}, a Node object whose addresses are the real nodes' InternalIPs, cordoned and
 * without labels (no zone, no hostname), so that no pod lands on it and no spread constraint counts it. Its rules
 * are then the union of what one kube-router per node would write.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubeconfigYaml } from './pki';
import type { RealNodeSpec } from './node-config';

type Obj = Record<string, unknown>;

/** The user kube-router reads the API as (a token of pki.ts). */
export const NETPOL_USER = 'system:k8s-platform:kube-router';
/** The Node kube-router runs as: its addresses are every real node's. */
export const FIREWALL_NODE = 'netpol-firewall';
/** kube-router's health endpoint (`/healthz`), on loopback. */
export const NETPOL_HEALTH_PORT = 20244;

/** Read access for kube-router and the Node it runs as. */
export function networkPolicyObjects(specs: readonly RealNodeSpec[]): Obj[] {
  const role = 'k8s-platform:kube-router';
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: role },
      rules: [
        {
          apiGroups: [''],
          resources: ['pods', 'namespaces', 'nodes', 'services'],
          verbs: ['get', 'list', 'watch'],
        },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: role },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: NETPOL_USER }],
    },
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: FIREWALL_NODE },
      spec: {
        unschedulable: true,
        taints: [{ key: 'k8s-platform.local/netpol-firewall', effect: 'NoSchedule' }],
      },
      // A Node's status may be set on create; kube-router reads its addresses once, at start.
      status: { addresses: specs.map((s) => ({ type: 'InternalIP', address: s.ip })) },
    },
  ];
}

/** kube-router's arguments: the firewall only, for the Service range `serviceCidr`. */
export function kubeRouterArgs(kubeconfig: string, serviceCidr: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--hostname-override=${FIREWALL_NODE}`,
    '--run-firewall=true',
    '--run-router=false',
    '--run-service-proxy=false',
    `--service-cluster-ip-range=${serviceCidr}`,
    '--health-addr=127.0.0.1',
    `--health-port=${NETPOL_HEALTH_PORT}`,
    // A full resync every 30 s besides the event-driven ones (upstream's default is 5 min).
    '--iptables-sync-period=30s',
  ];
}

/** What {@link startNetworkPolicy} needs of the cluster. */
export interface NetworkPolicyTarget {
  readonly dir: string;
  readonly server: string;
  readonly caCert: string;
  readonly token: string;
  readonly serviceCidr: string;
  /** Starts a process and records its pid as the cluster's. */
  readonly run: (key: string, binary: string, args: readonly string[]) => number;
}

/** True once kube-router answers on its health port and its chains are in the namespace's filter table. */
export async function networkPolicyEnforced(): Promise<boolean> {
  try {
    const r = await fetch(`http://127.0.0.1:${NETPOL_HEALTH_PORT}/healthz`, { signal: AbortSignal.timeout(1000) });
    if (!r.ok) return false;
  } catch {
    return false;
  }
  const chains = spawnSync('iptables', ['-t', 'filter', '-S', 'FORWARD'], { encoding: 'utf8' }).stdout ?? '';
  return chains.includes('KUBE-ROUTER-FORWARD');
}

/**
 * Starts kube-router for the real nodes (their objects applied before, see {@link networkPolicyObjects}); resolves
 * once it enforces. Its rules and sets go with the network namespace when the cluster stops.
 */
export async function startNetworkPolicy(target: NetworkPolicyTarget, timeoutMs = 60_000): Promise<void> {
  const kubeconfig = join(target.dir, 'kube-router.kubeconfig');
  writeFileSync(kubeconfig, kubeconfigYaml(target.server, target.caCert, target.token), { mode: 0o600 });
  target.run('kube-router', 'kube-router', kubeRouterArgs(kubeconfig, target.serviceCidr));
  const deadline = Date.now() + timeoutMs;
  while (!(await networkPolicyEnforced())) {
    if (Date.now() > deadline) {
      throw new Error(
        `local cluster: kube-router does not enforce NetworkPolicies after ${timeoutMs / 1000} s; ` +
          `see ${join(target.dir, 'logs', 'kube-router.log')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
