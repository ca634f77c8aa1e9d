import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import type { ClusterFlavor } from '../cluster';
import { KUBE_PROMETHEUS_STACK_CHART } from '../versions';
import type { AddonInstaller } from './installer';
import { RELEASE_NAMES, RELEASE_NAMESPACES } from './names';

/** Inputs of {@link kubePrometheusStackValues}. */
export interface KubePrometheusStackOptions {
  /** Kind of cluster (decides which control-plane components are scraped). */
  readonly flavor: ClusterFlavor;
  /** Grafana `admin` password. */
  readonly adminPassword: pulumi.Input<string>;
  /** Prometheus retention, e.g. `7d`. */
  readonly retention: pulumi.Input<string>;
  /** Host to serve Grafana on through an Ingress. */
  readonly grafanaHost?: string;
  /** IngressClass of that Ingress. */
  readonly ingressClass?: string;
  /** ClusterIssuer (cert-manager) that signs Grafana's certificate; Grafana is only published over HTTPS. */
  readonly grafanaIssuer?: string;
  /** Add the Linkerd proxy scrape job (for linkerd-viz). */
  readonly scrapeLinkerd: boolean;
  /** Add a Loki data source. */
  readonly loki: boolean;
  /** Add a Tempo data source. */
  readonly tempo: boolean;
}

/** A Prometheus `scrape_config` (free-form: Prometheus's configuration schema, not the chart's). */
export type PrometheusScrapeConfig = Readonly<Record<string, unknown>>;

/** A Grafana data source. */
export interface GrafanaDataSource {
  readonly name: string;
  readonly type: string;
  readonly url: string;
}

/** Enabled flag of a sub-component. */
interface Toggle {
  readonly enabled: boolean;
}

/** The kube-prometheus-stack chart values the platform sets. */
export interface KubePrometheusStackValues {
  readonly crds: Toggle;
  readonly prometheus: {
    readonly prometheusSpec: {
      readonly serviceMonitorSelectorNilUsesHelmValues: boolean;
      readonly podMonitorSelectorNilUsesHelmValues: boolean;
      readonly ruleSelectorNilUsesHelmValues: boolean;
      readonly probeSelectorNilUsesHelmValues: boolean;
      readonly scrapeConfigSelectorNilUsesHelmValues: boolean;
      readonly retention: pulumi.Input<string>;
      readonly resources: { readonly requests: { readonly cpu: string; readonly memory: string } };
      readonly additionalScrapeConfigs?: readonly PrometheusScrapeConfig[];
    };
  };
  readonly grafana: {
    readonly adminPassword: pulumi.Input<string>;
    readonly sidecar: {
      readonly dashboards: {
        readonly enabled: boolean;
        readonly label: string;
        readonly labelValue: string;
        readonly searchNamespace: string;
        readonly folderAnnotation: string;
        readonly provider: { readonly foldersFromFilesStructure: boolean };
        readonly resource: 'configmap';
      };
      readonly datasources: Toggle & { readonly resource: 'configmap' };
    };
    readonly rbac: { readonly create: false };
    readonly additionalDataSources?: readonly GrafanaDataSource[];
    readonly ingress?: {
      readonly enabled: boolean;
      readonly ingressClassName: string;
      readonly annotations: Readonly<Record<string, string>>;
      readonly hosts: readonly string[];
      readonly tls: readonly { readonly secretName: string; readonly hosts: readonly string[] }[];
    };
  };
  readonly 'kube-state-metrics': { readonly collectorsExclude: readonly string[] };
  readonly kubeControllerManager: Toggle;
  readonly kubeScheduler: Toggle;
  readonly kubeEtcd: Toggle;
  readonly kubeProxy: Toggle;
  readonly nodeExporter: Toggle;
}

/**
 * The ClusterRole Grafana's sidecars run with, and its binding to Grafana's ServiceAccount, created by the platform
 * instead of the chart (`rbac.create: false`): the chart's own role grants `get/list/watch` on every Secret of the
 * cluster (its template hard-codes `secrets` next to `configmaps`), which the sidecars only need when dashboards or
 * data sources are shipped as Secrets. The platform ships them as ConfigMaps. The binding has a name of its own: the
 * chart's binding cannot be pointed at another role in place (a roleRef is immutable), so a release installed with
 * the chart's RBAC drops it on upgrade instead.
 */
export const GRAFANA_CLUSTER_ROLE = {
  name: `${RELEASE_NAMES.prometheus}-grafana-configmaps`,
  rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
  serviceAccount: { name: `${RELEASE_NAMES.prometheus}-grafana`, namespace: RELEASE_NAMESPACES.monitoring },
} as const;

/** Secret holding Grafana's serving certificate (issued by cert-manager's ingress-shim). */
export const GRAFANA_TLS_SECRET = 'grafana-tls';

/** Scrape job for Linkerd proxies, used by linkerd-viz when it queries the stack's Prometheus. */
const LINKERD_PROXY_SCRAPE: PrometheusScrapeConfig = {
  job_name: 'linkerd-proxy',
  kubernetes_sd_configs: [{ role: 'pod' }],
  relabel_configs: [
    {
      source_labels: [
        '__meta_kubernetes_pod_container_name',
        '__meta_kubernetes_pod_container_port_name',
        '__meta_kubernetes_pod_label_linkerd_io_control_plane_ns',
      ],
      action: 'keep',
      regex: `^linkerd-proxy;linkerd-admin;${RELEASE_NAMESPACES.linkerd}$`,
    },
    { source_labels: ['__meta_kubernetes_namespace'], action: 'replace', target_label: 'namespace' },
    { source_labels: ['__meta_kubernetes_pod_name'], action: 'replace', target_label: 'pod' },
    { action: 'labelmap', regex: '__meta_kubernetes_pod_label_linkerd_io_proxy_(.+)' },
  ],
};

/** Values of kube-prometheus-stack: cluster-wide discovery of monitors, rules and dashboards. */
export function kubePrometheusStackValues(o: KubePrometheusStackOptions): KubePrometheusStackValues {
  const managed = o.flavor !== 'generic';
  const datasources: GrafanaDataSource[] = [
    ...(o.loki
      ? [{ name: 'Loki', type: 'loki', url: `http://${RELEASE_NAMES.loki}.${RELEASE_NAMESPACES.monitoring}:3100` }]
      : []),
    ...(o.tempo
      ? [{ name: 'Tempo', type: 'tempo', url: `http://${RELEASE_NAMES.tempo}.${RELEASE_NAMESPACES.monitoring}:3200` }]
      : []),
  ];
  return {
    crds: { enabled: true },
    prometheus: {
      prometheusSpec: {
        // Without these, Prometheus only selects objects labelled with this Helm release: the apps' monitors
        // and rules in their own namespaces would be ignored.
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        retention: o.retention,
        resources: { requests: { cpu: '200m', memory: '1Gi' } },
        ...(o.scrapeLinkerd ? { additionalScrapeConfigs: [LINKERD_PROXY_SCRAPE] } : {}),
      },
    },
    grafana: {
      adminPassword: o.adminPassword,
      sidecar: {
        // Dashboards ship as ConfigMaps labelled grafana_dashboard: "1" in each app's namespace.
        dashboards: {
          enabled: true,
          label: 'grafana_dashboard',
          labelValue: '1',
          searchNamespace: 'ALL',
          folderAnnotation: 'grafana_folder',
          provider: { foldersFromFilesStructure: true },
          // ConfigMaps only: the sidecars never read a Secret (see GRAFANA_CLUSTER_ROLE).
          resource: 'configmap',
        },
        datasources: { enabled: true, resource: 'configmap' },
      },
      rbac: { create: false },
      ...(datasources.length > 0 ? { additionalDataSources: datasources } : {}),
      ...(o.grafanaHost && o.ingressClass && o.grafanaIssuer
        ? {
            ingress: {
              enabled: true,
              ingressClassName: o.ingressClass,
              annotations: { 'cert-manager.io/cluster-issuer': o.grafanaIssuer },
              hosts: [o.grafanaHost],
              tls: [{ secretName: GRAFANA_TLS_SECRET, hosts: [o.grafanaHost] }],
            },
          }
        : {}),
    },
    // kube-state-metrics would list and watch every Secret of the cluster for its kube_secret_* series.
    'kube-state-metrics': { collectorsExclude: ['secrets'] },
    // Managed control planes (GKE, EKS) do not expose these components: scraping them only raises alerts.
    kubeControllerManager: { enabled: !managed },
    kubeScheduler: { enabled: !managed },
    kubeEtcd: { enabled: !managed },
    kubeProxy: { enabled: !managed },
    // Autopilot refuses host-network/host-PID DaemonSets such as node-exporter.
    nodeExporter: { enabled: o.flavor !== 'gke-autopilot' },
  };
}

/** Options of {@link installPrometheus}: those of the values, except the password, which is generated. */
export type PrometheusOptions = Omit<KubePrometheusStackOptions, 'adminPassword'>;

/** The installed kube-prometheus-stack and how to reach its Grafana. */
export interface PrometheusInstall {
  /** The release: apps with monitors wait for it. */
  readonly ready: k8s.helm.v3.Release;
  /** Where Grafana is reachable. */
  readonly grafanaUrl: pulumi.Output<string>;
  /** Generated Grafana `admin` password (secret). */
  readonly grafanaAdminPassword: pulumi.Output<string>;
}

/** Installs kube-prometheus-stack with a generated Grafana admin password. */
export function installPrometheus(
  installer: AddonInstaller,
  dependsOn: readonly pulumi.Resource[],
  o: PrometheusOptions,
): PrometheusInstall {
  const password = new random.RandomPassword(
    `${installer.name}-grafana-admin`,
    { length: 24, special: false },
    { parent: installer.args.parent },
  );
  const grafanaUrl =
    o.grafanaHost && o.ingressClass && o.grafanaIssuer
      ? pulumi.output(`https://${o.grafanaHost}`)
      : pulumi.output(
          `http://localhost:3000 (run: kubectl -n ${RELEASE_NAMESPACES.monitoring} port-forward ` +
            `svc/${RELEASE_NAMES.prometheus}-grafana 3000:80)`,
        );
  const clusterRole = new k8s.rbac.v1.ClusterRole(
    `${installer.name}-grafana-clusterrole`,
    {
      metadata: { name: GRAFANA_CLUSTER_ROLE.name },
      rules: GRAFANA_CLUSTER_ROLE.rules.map((r) => ({
        apiGroups: [...r.apiGroups],
        resources: [...r.resources],
        verbs: [...r.verbs],
      })),
    },
    installer.options(dependsOn),
  );
  const clusterRoleBinding = new k8s.rbac.v1.ClusterRoleBinding(
    `${installer.name}-grafana-clusterrolebinding`,
    {
      metadata: { name: GRAFANA_CLUSTER_ROLE.name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: GRAFANA_CLUSTER_ROLE.name },
      subjects: [{ kind: 'ServiceAccount', ...GRAFANA_CLUSTER_ROLE.serviceAccount }],
    },
    installer.options([...dependsOn, clusterRole]),
  );
  const ready = installer.release(
    {
      name: RELEASE_NAMES.prometheus,
      chart: KUBE_PROMETHEUS_STACK_CHART,
      namespace: RELEASE_NAMESPACES.monitoring,
      values: kubePrometheusStackValues({ ...o, adminPassword: password.result }),
    },
    [...dependsOn, clusterRoleBinding],
  );
  return { ready, grafanaUrl, grafanaAdminPassword: pulumi.secret(password.result) };
}
