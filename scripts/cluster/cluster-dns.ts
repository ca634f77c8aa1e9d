/**
 * Cluster DNS for the real nodes: CoreDNS serving `cluster.local` from the API (Services, headless Services' pods)
 * on {@link COREDNS_ADDRESS}, a process of the cluster's network namespace like kube-proxy: the API server listens on
 * 127.0.0.1 only, which a pod (its own loopback) cannot reach. In front of it, as the `kube-dns` Service at
 * {@link CLUSTER_DNS_IP}, a relay pod (CoreDNS forwarding to it) labelled `k8s-app: kube-dns` in kube-system, as the
 * clouds' DNS pods are: the apps' derived egress policies admit DNS to exactly those pods, and with NetworkPolicy
 * enforced (scripts/cluster/network-policy.ts) an app pod reaches the cluster DNS only that way, as on GKE and EKS.
 * There is no upstream resolver: names outside the cluster do not resolve (nothing outside the namespace is
 * reachable anyway).
 */
import { containerSecurityContext, podSecurityContext } from '../../platform/core/security';
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

/** The relay's config: forward every query to the CoreDNS of the namespace; readiness on :8181/ready. */
export function relayCorefile(): string {
  return `.:53 {
    errors
    ready :8181
    forward . ${COREDNS_ADDRESS}
    cache 5
}
`;
}

/**
 * The objects of the cluster DNS: read access for CoreDNS, the relay pods (`image`: CoreDNS, built by
 * scripts/images/images/coredns.sh) and the kube-dns Service that selects them.
 */
export function clusterDnsObjects(image: string): Obj[] {
  const ns = 'kube-system';
  const labels = { 'k8s-app': 'kube-dns' };
  const name = 'kube-dns-relay';
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
      kind: 'ConfigMap',
      metadata: { name, namespace: ns },
      data: { Corefile: relayCorefile() },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: {
              ...podSecurityContext({ user: 65532 }),
              // Port 53 without NET_BIND_SERVICE (a namespaced sysctl of the safe set).
              sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
            },
            containers: [
              {
                name: 'coredns',
                image,
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                ],
                readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
                resources: { requests: { cpu: '20m', memory: '32Mi' }, limits: { memory: '64Mi' } },
                securityContext: containerSecurityContext(true),
                volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: ns, labels },
      spec: {
        clusterIP: CLUSTER_DNS_IP,
        selector: labels,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      },
    },
  ];
}

/** True once `kubernetes.default.svc.cluster.local` resolves through the Service IP (kube-proxy, the relay and CoreDNS up). */
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
 * API with `kubeconfig`; resolves once the cluster DNS answers through its Service IP (the relay pod Ready).
 */
export async function startClusterDns(
  dir: string,
  kubeconfig: string,
  start: (key: string, binary: string, args: readonly string[]) => number,
  timeoutMs = 120_000,
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
        `local cluster: the cluster DNS does not answer after ${timeoutMs / 1000} s (is the kube-dns-relay pod in ` +
          `kube-system Ready?); CoreDNS's last log lines:\n${tail}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
