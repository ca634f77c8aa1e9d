/**
 * Cluster DNS for the real nodes: CoreDNS serving `cluster.local` from the API (Services, headless Services' pods)
 * as the `kube-dns` Service at {@link CLUSTER_DNS_IP}. It runs as a process of the cluster's network namespace, like
 * kube-proxy, not as a pod: the API server listens on 127.0.0.1 only, which a pod (its own loopback) cannot reach.
 * The Service has no selector; its EndpointSlice names CoreDNS's address in the namespace, which pods reach through
 * their bridge. Add-on pods thus never land on a real node, and the apps' manifests are untouched. There is no
 * upstream resolver: names outside the cluster do not resolve (nothing outside the namespace is reachable anyway).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { join } from 'node:path';

type Obj = Record<string, unknown>;

/** The Service IP of the cluster DNS (in the local cluster's Service CIDR). */
export const CLUSTER_DNS_IP = '10.96.0.10';
/** CoreDNS's own address in the namespace (on loopback), the kube-dns Service's endpoint. */
export const COREDNS_ADDRESS = '10.242.0.250';
/** The user CoreDNS reads the API as (a token of pki.ts), bound to {@link clusterDnsObjects}' ClusterRole. */
export const COREDNS_USER = 'system:k8s-platform:coredns';

/** CoreDNS's config: the cluster zone from the API through `kubeconfig`, on {@link COREDNS_ADDRESS}:53. */
export function corefile(kubeconfig: string): string {
  return `.:53 {
    bind ${COREDNS_ADDRESS}
    errors
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        kubeconfig ${kubeconfig} local
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    cache 5
    loadbalance
}
`;
}

/** The objects of the cluster DNS: read access for CoreDNS, the kube-dns Service and its EndpointSlice. */
export function clusterDnsObjects(): Obj[] {
  const ns = 'kube-system';
  const labels = { 'k8s-app': 'kube-dns' };
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'k8s-platform:coredns' },
      rules: [
        { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'k8s-platform:coredns' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'k8s-platform:coredns' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: COREDNS_USER }],
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: ns, labels },
      spec: {
        clusterIP: CLUSTER_DNS_IP,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kube-dns-coredns', namespace: ns, labels: { 'kubernetes.io/service-name': 'kube-dns' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [COREDNS_ADDRESS], conditions: { ready: true } }],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ],
    },
  ];
}

/** True once `kubernetes.default.svc.cluster.local` resolves through the Service IP (kube-proxy and CoreDNS both up). */
export async function clusterDnsAnswers(): Promise<boolean> {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([CLUSTER_DNS_IP]);
  try {
    return (await resolver.resolve4('kubernetes.default.svc.cluster.local')).length > 0;
  } catch {
    return false;
  }
}

/**
 * Starts CoreDNS (through `start`, which records its pid as the cluster's) on {@link COREDNS_ADDRESS}, reading the
 * API with `kubeconfig`; resolves once the cluster DNS answers through its Service IP.
 */
export async function startClusterDns(
  dir: string,
  kubeconfig: string,
  start: (key: string, binary: string, args: readonly string[]) => number,
  timeoutMs = 60_000,
): Promise<void> {
  writeFileSync(join(dir, 'Corefile'), corefile(kubeconfig));
  spawnSync('ip', ['addr', 'add', `${COREDNS_ADDRESS}/32`, 'dev', 'lo']);
  start('coredns', 'coredns', ['-conf', join(dir, 'Corefile')]);
  const deadline = Date.now() + timeoutMs;
  while (!(await clusterDnsAnswers())) {
    if (Date.now() > deadline) {
      const tail = readFileSync(join(dir, 'logs', 'coredns.log'), 'utf8')
        .split('\n')
        .slice(-10)
        .join('\n');
      throw new Error(
        `local cluster: the cluster DNS does not answer after ${timeoutMs / 1000} s; CoreDNS's last log lines:\n${tail}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
