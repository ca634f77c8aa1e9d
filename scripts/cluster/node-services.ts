/**
 * What the real nodes need besides the kubelets and kube-proxy, started once they are Ready: NetworkPolicy
 * enforcement (network-policy.ts), the cluster DNS (cluster-dns.ts) and the resource metrics API
 * (metrics-server.ts).
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { clusterDnsObjects, startClusterDns } from './cluster-dns';
import { metricsServerObjects, startMetricsServer } from './metrics-server';
import { networkPolicyObjects, startNetworkPolicy } from './network-policy';
import { REAL_NODE_LABEL, type RealNodeSpec } from './node-config';
import { kubeconfigYaml, type Pki } from './pki';

/** The binaries the real nodes and their services run (build-tools.sh `node`). */
export const NODE_TOOLS = [
  'kubelet',
  'kube-proxy',
  'kube-router',
  'metrics-server',
  'coredns',
  'containerd',
  'containerd-shim-runc-v2',
  'ctr',
  'runc',
] as const;

/** The cluster DNS relay's image, without its tag (scripts/images/images/coredns.sh). */
const DNS_RELAY_IMAGE = 'k8s-platform.local/coredns:';

/** What {@link startNodeServices} needs of the cluster. */
export interface NodeServicesTarget {
  readonly dir: string;
  readonly server: string;
  readonly pki: Pki;
  readonly serviceCidr: string;
  /** Starts a process and records its pid as the cluster's. */
  readonly run: (key: string, binary: string, args: readonly string[]) => number;
  /** Applies objects to the cluster. */
  readonly apply: (objects: readonly Record<string, unknown>[]) => void;
}

/** Starts the three; resolves once policies are enforced and the cluster DNS answers. */
export async function startNodeServices(
  t: NodeServicesTarget,
  specs: readonly RealNodeSpec[],
  images: ReadonlyMap<string, string>,
): Promise<void> {
  const relayImage = [...images.keys()].find((r) => r.startsWith(DNS_RELAY_IMAGE));
  if (!relayImage) throw new Error(`local cluster: no ${DNS_RELAY_IMAGE}* image among the real nodes' images`);
  const { dir, server, pki, run } = t;
  t.apply([...networkPolicyObjects(specs), ...metricsServerObjects(pki.caCert)]);
  await startNetworkPolicy({
    dir,
    server,
    caCert: pki.caCert,
    token: pki.routerToken,
    serviceCidr: t.serviceCidr,
    run,
  });
  startMetricsServer({
    dir,
    server,
    caCert: pki.caCert,
    token: pki.metricsToken,
    servingCert: pki.metricsServerCert,
    servingKey: pki.metricsServerKey,
    nodeSelector: `${REAL_NODE_LABEL.key}=${REAL_NODE_LABEL.value}`,
    run,
  });
  t.apply(clusterDnsObjects(relayImage));
  const dnsKubeconfig = join(dir, 'coredns.kubeconfig');
  writeFileSync(dnsKubeconfig, kubeconfigYaml(server, pki.caCert, pki.dnsToken), { mode: 0o600 });
  await startClusterDns(dir, dnsKubeconfig, run);
}
