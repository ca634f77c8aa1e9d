import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { ALLOY_CHART, LOKI_CHART } from '../versions';
import type { AddonInstaller } from './installer';
import { RELEASE_NAMES, RELEASE_NAMESPACES } from './names';

/** Replica count of a Loki component. */
interface Replicas {
  readonly replicas: number;
}

/** Enabled flag of a sub-component. */
interface Toggle {
  readonly enabled: boolean;
}

/** One Loki schema period (Loki's own configuration schema). */
export interface LokiSchemaPeriod {
  readonly from: string;
  readonly store: string;
  readonly object_store: string;
  readonly schema: string;
  readonly index: { readonly prefix: string; readonly period: string };
}

/** The Loki chart values the platform sets. */
export interface LokiValues {
  readonly deploymentMode: 'SingleBinary';
  readonly loki: {
    readonly auth_enabled: boolean;
    readonly commonConfig: { readonly replication_factor: number };
    readonly storage: { readonly type: 'filesystem' };
    readonly schemaConfig: { readonly configs: readonly LokiSchemaPeriod[] };
  };
  readonly singleBinary: Replicas;
  readonly read: Replicas;
  readonly write: Replicas;
  readonly backend: Replicas;
  readonly gateway: Toggle;
  readonly chunksCache: Toggle;
  readonly resultsCache: Toggle;
  readonly lokiCanary: Toggle;
  readonly test: Toggle;
}

/** Values of Loki: one replica, filesystem storage, for development and small clusters. */
export function lokiValues(): LokiValues {
  return {
    deploymentMode: 'SingleBinary',
    loki: {
      auth_enabled: false,
      commonConfig: { replication_factor: 1 },
      storage: { type: 'filesystem' },
      schemaConfig: {
        configs: [
          {
            from: '2024-04-01',
            store: 'tsdb',
            object_store: 'filesystem',
            schema: 'v13',
            index: { prefix: 'loki_index_', period: '24h' },
          },
        ],
      },
    },
    singleBinary: { replicas: 1 },
    read: { replicas: 0 },
    write: { replicas: 0 },
    backend: { replicas: 0 },
    gateway: { enabled: false },
    chunksCache: { enabled: false },
    resultsCache: { enabled: false },
    lokiCanary: { enabled: false },
    test: { enabled: false },
  };
}

/** Environment variable holding the name of the node an Alloy pod runs on (from its own `spec.nodeName`). */
export const ALLOY_NODE_NAME_ENV = 'NODE_NAME';

/** An environment variable from the pod's own fields (downward API). */
export interface FieldRefEnvVar {
  readonly name: string;
  readonly valueFrom: { readonly fieldRef: { readonly fieldPath: string } };
}

/** The Alloy chart values the platform sets. */
export interface AlloyValues {
  readonly alloy: {
    readonly configMap: { readonly create: boolean; readonly content: string };
    readonly extraEnv: readonly FieldRefEnvVar[];
  };
  readonly controller: { readonly type: 'daemonset' };
}

/**
 * Alloy configuration: discover the pods of Alloy's own node, label them, tail their logs into Loki. Alloy runs as
 * a DaemonSet and `loki.source.kubernetes` tails through the API server: without the node selector every Alloy pod
 * would tail every pod of the cluster, writing N copies of each line for N nodes.
 */
export function alloyConfig(): string {
  return [
    'discovery.kubernetes "pods" {',
    '  role = "pod"',
    '  selectors {',
    '    role  = "pod"',
    `    field = "spec.nodeName=" + sys.env("${ALLOY_NODE_NAME_ENV}")`,
    '  }',
    '}',
    'discovery.relabel "pods" {',
    '  targets = discovery.kubernetes.pods.targets',
    '  rule {',
    '    source_labels = ["__meta_kubernetes_namespace"]',
    '    target_label  = "namespace"',
    '  }',
    '  rule {',
    '    source_labels = ["__meta_kubernetes_pod_name"]',
    '    target_label  = "pod"',
    '  }',
    '  rule {',
    '    source_labels = ["__meta_kubernetes_pod_container_name"]',
    '    target_label  = "container"',
    '  }',
    '  rule {',
    '    source_labels = ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]',
    '    target_label  = "app"',
    '  }',
    '}',
    'loki.source.kubernetes "pods" {',
    '  targets    = discovery.relabel.pods.output',
    '  forward_to = [loki.write.default.receiver]',
    '}',
    'loki.write "default" {',
    '  endpoint {',
    `    url = "http://${RELEASE_NAMES.loki}.${RELEASE_NAMESPACES.monitoring}:3100/loki/api/v1/push"`,
    '  }',
    '}',
  ].join('\n');
}

/** Values of Alloy: a DaemonSet, each pod tailing the logs of the pods on its node into Loki. */
export function alloyValues(): AlloyValues {
  return {
    alloy: {
      configMap: { create: true, content: alloyConfig() },
      extraEnv: [{ name: ALLOY_NODE_NAME_ENV, valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
    },
    controller: { type: 'daemonset' },
  };
}

/** Installs Loki, then Alloy shipping the pods' logs to it; apps wait for Alloy. */
export function installLoki(installer: AddonInstaller, dependsOn: readonly pulumi.Resource[]): k8s.helm.v3.Release {
  const loki = installer.release(
    { name: RELEASE_NAMES.loki, chart: LOKI_CHART, namespace: RELEASE_NAMESPACES.monitoring, values: lokiValues() },
    dependsOn,
  );
  return installer.release(
    { name: RELEASE_NAMES.alloy, chart: ALLOY_CHART, namespace: RELEASE_NAMESPACES.monitoring, values: alloyValues() },
    [loki],
  );
}
