import { stringify } from 'yaml';

/** Where to reach a cluster's API server. */
export interface ClusterEndpoint {
  /** Cluster name, used for the kubeconfig cluster, user and context names. */
  readonly name: string;
  /** API server host name or IP (with or without `https://`). */
  readonly endpoint: string;
  /** Base64-encoded PEM of the cluster CA, as both clouds return it. */
  readonly caCertificate: string;
}

/** Extra settings of an EKS kubeconfig. */
export interface EksEndpoint extends ClusterEndpoint {
  /** AWS region of the cluster (`aws eks get-token` needs it). */
  readonly region: string;
  /** Named AWS CLI profile to use; omitted to use the default credential chain. */
  readonly profile?: string;
}

/** The `client.authentication.k8s.io` version both credential plugins speak. */
const EXEC_API_VERSION = 'client.authentication.k8s.io/v1beta1';

function server(endpoint: string): string {
  return endpoint.startsWith('https://') ? endpoint : `https://${endpoint}`;
}

function kubeconfig(endpoint: ClusterEndpoint, exec: Record<string, unknown>): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: endpoint.name,
        cluster: { server: server(endpoint.endpoint), 'certificate-authority-data': endpoint.caCertificate },
      },
    ],
    users: [{ name: endpoint.name, user: { exec: { apiVersion: EXEC_API_VERSION, ...exec } } }],
    contexts: [{ name: endpoint.name, context: { cluster: endpoint.name, user: endpoint.name } }],
    'current-context': endpoint.name,
  });
}

/**
 * A GKE kubeconfig that gets short-lived tokens from `gke-gcloud-auth-plugin` (kubectl 1.26+ has no built-in GCP
 * auth); it holds no credential itself.
 */
export function gkeKubeconfig(endpoint: ClusterEndpoint): string {
  return kubeconfig(endpoint, {
    command: 'gke-gcloud-auth-plugin',
    installHint: 'Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin',
    provideClusterInfo: true,
    interactiveMode: 'IfAvailable',
  });
}

/** An EKS kubeconfig that gets short-lived tokens from `aws eks get-token`; it holds no credential itself. */
export function eksKubeconfig(endpoint: EksEndpoint): string {
  const env = endpoint.profile ? [{ name: 'AWS_PROFILE', value: endpoint.profile }] : undefined;
  return kubeconfig(endpoint, {
    command: 'aws',
    args: ['eks', 'get-token', '--cluster-name', endpoint.name, '--region', endpoint.region, '--output', 'json'],
    ...(env ? { env } : {}),
    installHint: 'Install the AWS CLI v2 and run `aws configure` (or set AWS_PROFILE).',
    interactiveMode: 'IfAvailable',
  });
}
