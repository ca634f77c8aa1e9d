/**
 * The props of a `PlatformChart` and their checks: each mistake fails at construction with the construct path, the
 * prop, the value and the fix, before the chart exists.
 */
import type { Construct } from 'constructs';
import { ADDON_NAMESPACES } from './contract';
import { AppRegistry } from './core/app-registry';
import type { PropKeys } from './core/known-props';
import { LABEL, MANAGED_BY } from './core/names';
import { PropValidator, constructPath } from './core/validate';
import type { AppMesh, MeshInjection, ProxyResources } from './mesh/linkerd';
import { resolveAppMesh } from './mesh/linkerd';
import type { AlertThresholds } from './observability/alerts';
import type { AppObservability } from './observability/app-observability';
import { resolveAppObservability } from './observability/app-observability';
import type { HttpMetricNames } from './observability/signals';

/**
 * Namespaces an app may not use: the cluster's own and the add-ons'. An app namespace gets `enforce: restricted`
 * and a default-deny NetworkPolicy, which would break what already runs there.
 */
export const RESERVED_NAMESPACES: readonly string[] = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  ...new Set(Object.values(ADDON_NAMESPACES)),
];

/** Properties of a {@link PlatformChart}. */
export interface PlatformChartProps {
  /**
   * Namespace of every object of the app.
   * @default the chart id (the app name)
   */
  readonly namespace?: string;
  /**
   * Service mesh for every workload of the app. `'linkerd'` switches on proxy injection (see `meshInjection`) and
   * records the `linkerd` and `linkerd-viz` add-ons (golden metrics per workload); a workload can still opt out.
   * @default 'none'
   */
  readonly mesh?: 'linkerd' | 'none';
  /**
   * Where Linkerd injection is switched on: `'namespace'` annotates the app namespace, `'workload'` annotates the
   * pod template of each meshed workload instead and leaves the namespace plain. Only with `mesh: 'linkerd'`.
   * @default 'namespace'
   */
  readonly meshInjection?: MeshInjection;
  /**
   * Linkerd proxy requests and limits of every meshed pod; a workload's `mesh.proxy` overrides them. Only with
   * `mesh: 'linkerd'`.
   * @default cpu 100m/1, memory 20Mi/250Mi (`DEFAULT_PROXY_RESOURCES`)
   */
  readonly meshProxy?: ProxyResources;
  /**
   * Where the app's logs go. `'loki'` records the `loki` add-on, whose Alloy DaemonSet tails the stdout and
   * stderr of every container through the Kubernetes API (no network path from the app is opened) and labels
   * each line with its namespace, pod, container and `app` (the workload name), for Grafana.
   * @default 'none' (logs stay in `kubectl logs`)
   */
  readonly logs?: 'loki' | 'none';
  /**
   * Golden-signal alerts: a PrometheusRule `<app>-alerts` with a rule group per workload (error rate and p99
   * latency of services, CPU and memory saturation and restarts of every container, databases down), with these
   * thresholds; `false` for none. Records the `prometheus` add-on.
   * @default DEFAULT_ALERT_THRESHOLDS: 5% errors, p99 500 ms, 90% of the CPU or memory limit, 3 restarts an hour
   */
  readonly alerts?: AlertThresholds | false;
  /**
   * A Grafana dashboard with a row per workload (request rate, success rate, latency percentiles, database
   * panels, saturation): the ConfigMap `<app>-dashboard`, loaded by the Grafana sidecar into the folder `<app>`.
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * Names of the services' own HTTP metrics, which the alerts and the dashboard read for services that Linkerd
   * does not mesh (meshed ones are measured by their proxies).
   * @default podinfo's: `http_requests_total` by `status`, `http_request_duration_seconds` (DEFAULT_HTTP_METRICS)
   */
  readonly httpMetrics?: HttpMetricNames;
  /**
   * Extra labels on every object.
   * @default none
   */
  readonly labels?: Record<string, string>;
}

const PLATFORM_CHART_PROP_KEYS: PropKeys<PlatformChartProps> = {
  namespace: true,
  mesh: true,
  meshInjection: true,
  meshProxy: true,
  logs: true,
  alerts: true,
  dashboard: true,
  httpMetrics: true,
  labels: true,
};

/** A chart's props, checked and resolved. */
export interface ResolvedChartProps {
  /** The app namespace. */
  readonly namespace: string;
  /** Labels of every object. */
  readonly labels: Record<string, string>;
  /** The app's mesh. */
  readonly mesh: AppMesh;
  /** The app's alerts, dashboard and HTTP metric names. */
  readonly observability: AppObservability;
  /** Where the app's logs go. */
  readonly logs?: 'loki' | 'none';
}

/** Checks the props of chart `id` under `scope` (its namespace unique in the cdk8s app) and resolves them. */
export function resolveChartProps(scope: Construct, id: string, props: PlatformChartProps): ResolvedChartProps {
  const v = new PropValidator(constructPath(scope, id));
  v.knownProps('', props, PLATFORM_CHART_PROP_KEYS, 'PlatformChart');
  v.id(id);
  const namespace = v.dnsLabel('namespace', props.namespace ?? id);
  if (RESERVED_NAMESPACES.includes(namespace)) {
    v.fail(
      'namespace',
      `${JSON.stringify(namespace)} is reserved for the cluster or a platform add-on`,
      'give the app a namespace of its own (the default is the app name)',
    );
  }
  // One namespace per app, across the charts of one cdk8s app.
  const taken = AppRegistry.of(scope).namespaces;
  const owner = taken.get(namespace);
  if (owner !== undefined) {
    v.fail(
      'namespace',
      `${JSON.stringify(namespace)} is already the namespace of app ${owner}`,
      'give each app its own namespace (one namespace per app: each gets its own Namespace and default-deny policy)',
    );
  }
  for (const [key, value] of Object.entries(props.labels ?? {})) {
    v.metadataKey(`labels.${key}`, key, 'label');
    v.labelValue(`labels.${key}`, value);
  }
  if (props.logs !== undefined && props.logs !== 'loki' && props.logs !== 'none')
    v.fail('logs', `${JSON.stringify(props.logs)} is not a log backend`, 'use "loki" or "none"');
  const mesh = resolveAppMesh(v, props);
  const observability = resolveAppObservability(v, props);
  const labels = { [LABEL.partOf]: id, [LABEL.managedBy]: MANAGED_BY, ...props.labels };
  return { namespace, labels, mesh, observability, logs: props.logs };
}
