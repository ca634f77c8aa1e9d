/**
 * The resource metrics API (`metrics.k8s.io`) for the real nodes, which the apps' CPU HorizontalPodAutoscalers read:
 * metrics-server v0.8 (built by build-tools.sh `node`) as a process of the cluster's network namespace on
 * {@link METRICS_SERVER_ADDRESS}, like CoreDNS, scraping each real kubelet's `/metrics/resource`, served through the
 * API server's aggregation layer (its front-proxy client certificate, pki.ts) as the `v1beta1.metrics.k8s.io`
 * APIService, whose Service has no selector and one Endpoints object naming that address.
 *
 * The kubelets' serving certificates are self-signed here (as kubeadm's are by default), so metrics-server skips
 * their verification (`--kubelet-insecure-tls`, as upstream's kind and kubeadm guides do); it still authenticates
 * to them with its token, and they authorize `nodes/metrics` through the API server.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FRONT_PROXY_CLIENT, kubeconfigYaml, type Pki } from './pki';

type Obj = Record<string, unknown>;

/** metrics-server's address in the namespace (on loopback), its Service's endpoint. */
export const METRICS_SERVER_ADDRESS = '10.242.0.251';
const PORT = 4443;
/** The user metrics-server reads the API and the kubelets as (a token of pki.ts). */
export const METRICS_SERVER_USER = 'system:k8s-platform:metrics-server';

/** The API server's aggregation layer: its front-proxy client certificate and the CA that vouches for it. */
export function aggregationLayerArgs(pki: Pki): string[] {
  return [
    `--requestheader-client-ca-file=${pki.caCert}`,
    `--requestheader-allowed-names=${FRONT_PROXY_CLIENT}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pki.frontProxyClientCert}`,
    `--proxy-client-key-file=${pki.frontProxyClientKey}`,
  ];
}

/** metrics-server's access (upstream's manifests/base/rbac.yaml, for a user), Service, endpoints and APIService. */
export function metricsServerObjects(caCert: string): Obj[] {
  const ns = 'kube-system';
  const name = 'metrics-server';
  const subjects = [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: METRICS_SERVER_USER }];
  const binding = (kind: string, bindingName: string, role: string, namespace?: string): Obj => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name: bindingName, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: namespace ? 'Role' : 'ClusterRole', name: role },
    subjects,
  });
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'k8s-platform:metrics-server' },
      rules: [
        { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
        { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    binding('ClusterRoleBinding', 'k8s-platform:metrics-server', 'k8s-platform:metrics-server'),
    binding('ClusterRoleBinding', 'k8s-platform:metrics-server:auth-delegator', 'system:auth-delegator'),
    binding('RoleBinding', 'k8s-platform:metrics-server:auth-reader', 'extension-apiserver-authentication-reader', ns),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns },
      spec: { ports: [{ name: 'https', port: 443, targetPort: PORT, protocol: 'TCP' }] },
    },
    // The aggregation layer finds an APIService's endpoints in the v1 Endpoints object (its availability check
    // reads nothing else, even on 1.33 where Endpoints is deprecated); the mirroring controller makes kube-proxy's
    // EndpointSlice from it.
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace: ns },
      subsets: [
        { addresses: [{ ip: METRICS_SERVER_ADDRESS }], ports: [{ name: 'https', port: PORT, protocol: 'TCP' }] },
      ],
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io' },
      spec: {
        service: { name, namespace: ns, port: 443 },
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        caBundle: readFileSync(caCert).toString('base64'),
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    },
  ];
}

/** What {@link startMetricsServer} needs of the cluster. */
export interface MetricsServerTarget {
  readonly dir: string;
  readonly server: string;
  readonly caCert: string;
  readonly token: string;
  readonly servingCert: string;
  readonly servingKey: string;
  /** `key=value`: the nodes to scrape (the real ones). */
  readonly nodeSelector: string;
  readonly run: (key: string, binary: string, args: readonly string[]) => number;
}

/** metrics-server's arguments. */
export function metricsServerArgs(kubeconfig: string, t: MetricsServerTarget): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${METRICS_SERVER_ADDRESS}`,
    `--secure-port=${PORT}`,
    `--tls-cert-file=${t.servingCert}`,
    `--tls-private-key-file=${t.servingKey}`,
    `--node-selector=${t.nodeSelector}`,
    '--kubelet-insecure-tls',
    '--kubelet-preferred-address-types=InternalIP',
    '--kubelet-use-node-status-port',
    // Upstream's default; the HPA controller reads every 15 s.
    '--metric-resolution=15s',
  ];
}

/**
 * Starts metrics-server (its objects applied before, {@link metricsServerObjects}). It does not wait: the first
 * metrics take a scrape or two; an HPA (or a test) waits for them.
 */
export function startMetricsServer(t: MetricsServerTarget): void {
  const kubeconfig = join(t.dir, 'metrics-server.kubeconfig');
  writeFileSync(kubeconfig, kubeconfigYaml(t.server, t.caCert, t.token), { mode: 0o600 });
  spawnSync('ip', ['addr', 'add', `${METRICS_SERVER_ADDRESS}/32`, 'dev', 'lo']);
  t.run('metrics-server', 'metrics-server', metricsServerArgs(kubeconfig, t));
}
