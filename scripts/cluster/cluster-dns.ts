/**
 * Cluster DNS for the real nodes: CoreDNS serving `cluster.local` from the API (Services, headless Services' pods),
 * as the `kube-dns` Service at {@link CLUSTER_DNS_IP}, under the restricted profile, pinned to the real nodes by a
 * nodeSelector on its own side (the apps' manifests are not touched). There is no upstream resolver: names outside
 * the cluster do not resolve, as nothing outside the namespace is reachable anyway.
 */
import { REAL_NODE_LABEL } from './node-config';
import { CLUSTER_DNS_IP } from './real-nodes';

type Obj = Record<string, unknown>;

const NS = 'kube-system';
const LABELS = { 'k8s-app': 'kube-dns' };
/** An unprivileged port: the Service maps 53 to it, so CoreDNS needs no capability. */
const PORT = 1053;

/** The objects of the cluster DNS, running `image`. */
export function clusterDnsObjects(image: string): Obj[] {
  const corefile = `.:${PORT} {
    errors
    health :8080
    ready :8181
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 5
    }
    cache 5
    loop
    loadbalance
}
`;
  const restricted = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 65532,
    runAsGroup: 65532,
    seccompProfile: { type: 'RuntimeDefault' },
  };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns', namespace: NS } },
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
      subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: NS }],
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: NS }, data: { Corefile: corefile } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: NS, labels: LABELS },
      spec: {
        replicas: 1,
        selector: { matchLabels: LABELS },
        template: {
          metadata: { labels: LABELS },
          spec: {
            serviceAccountName: 'coredns',
            dnsPolicy: 'Default',
            nodeSelector: { [REAL_NODE_LABEL.key]: REAL_NODE_LABEL.value },
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'coredns',
                image,
                imagePullPolicy: 'IfNotPresent',
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: PORT, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: PORT, protocol: 'TCP' },
                ],
                resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '128Mi' } },
                securityContext: restricted,
                livenessProbe: { httpGet: { path: '/health', port: 8080 }, periodSeconds: 10 },
                readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
                volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: NS, labels: LABELS },
      spec: {
        clusterIP: CLUSTER_DNS_IP,
        selector: LABELS,
        ports: [
          { name: 'dns', port: 53, targetPort: PORT, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, targetPort: PORT, protocol: 'TCP' },
        ],
      },
    },
  ];
}
