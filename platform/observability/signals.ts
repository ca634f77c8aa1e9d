/**
 * The golden signals of a workload as PromQL, shared by the alert rules and the dashboard so that both say the
 * same thing. Sources, all scraped by the stack's kube-prometheus-stack:
 *
 * - requests of a meshed service: Linkerd's proxy metrics (`request_total`, `response_total` with
 *   `classification="success|failure"`, `response_latency_ms_bucket`, all `direction="inbound"`), labelled by the
 *   `linkerd-proxy` scrape job with `namespace`, `pod` and `deployment`/`statefulset`;
 * - requests of a service that is not meshed: the app's own HTTP metrics on its metrics port (names in
 *   {@link HttpMetricNames}), labelled by its ServiceMonitor with `namespace`, `pod`, `service` and `job`;
 * - saturation and restarts of every workload: cAdvisor (`container_cpu_usage_seconds_total`,
 *   `container_memory_working_set_bytes`) and kube-state-metrics (`kube_pod_container_resource_limits`,
 *   `kube_pod_container_status_restarts_total`);
 * - databases: their exporter sidecar (see {@link ENGINE_METRICS}).
 *
 * A workload's series are found by namespace and pod name (`<name>-<hash>-<id>` for a Deployment, `<name>-<n>` for a
 * StatefulSet), which every one of those sources labels alike.
 */
import type { CustomMetric, DatabaseEngine, GraphNode } from '../core/graph';
import type { PropKeys } from '../core/known-props';
import type { PropValidator } from '../core/validate';
import type { HttpMetricNames } from '../core/graph';
import type { EngineSeries } from './database-metrics';
import { ENGINE_METRICS } from './database-metrics';

/** Window of every `rate()`/`increase()` over request counters: at least four 30 s scrape intervals. */
export const RATE_WINDOW = '5m';

export type { HttpMetricNames };

/** {@link HttpMetricNames} after validation. */
export type ResolvedHttpMetrics = Required<HttpMetricNames>;

/** The metrics of podinfo, the reference apps' stand-in image (the `status` label on both). */
export const DEFAULT_HTTP_METRICS: ResolvedHttpMetrics = {
  requestsTotal: 'http_requests_total',
  durationSeconds: 'http_request_duration_seconds',
  statusLabel: 'status',
  errorStatus: '5..',
};

const HTTP_METRIC_KEYS: PropKeys<HttpMetricNames> = {
  requestsTotal: true,
  durationSeconds: true,
  statusLabel: true,
  errorStatus: true,
};
const CUSTOM_METRIC_KEYS: PropKeys<CustomMetric> = { title: true, metric: true, labels: true, rate: true };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Validates the `httpMetrics` prop of an app or a service (a service's names are checked over the defaults). */
export function resolveHttpMetrics(v: PropValidator, metrics: HttpMetricNames = {}): ResolvedHttpMetrics {
  v.knownProps('httpMetrics', metrics, HTTP_METRIC_KEYS, 'httpMetrics');
  const resolved = { ...DEFAULT_HTTP_METRICS, ...metrics };
  for (const key of ['requestsTotal', 'durationSeconds'] as const) {
    if (!METRIC_NAME.test(resolved[key])) {
      v.fail(
        `httpMetrics.${key}`,
        `${JSON.stringify(resolved[key])} is not a Prometheus metric name`,
        'use letters, digits, "_" and ":", not starting with a digit (e.g. "http_requests_total")',
      );
    }
  }
  if (!LABEL_NAME.test(resolved.statusLabel) || resolved.statusLabel.startsWith('__')) {
    v.fail(
      'httpMetrics.statusLabel',
      `${JSON.stringify(resolved.statusLabel)} is not a Prometheus label name`,
      'use letters, digits and "_", not starting with a digit or "__" (e.g. "code")',
    );
  }
  if (!isUsableRegex(resolved.errorStatus)) {
    v.fail(
      'httpMetrics.errorStatus',
      `${JSON.stringify(resolved.errorStatus)} is not a usable regular expression`,
      'write a non-empty regular expression without quotes or backslashes, e.g. "5.." or "5[0-9][0-9]|429"',
    );
  }
  return resolved;
}

/** A custom metric after validation: whether it is charted as a rate is decided. */
export type ResolvedCustomMetric = CustomMetric & { readonly rate: boolean };

/** Counters by Prometheus naming conventions: charted as a per-second rate unless told otherwise. */
const COUNTER_SUFFIX = /_(total|count)$/;
/** Series that only go up, so that `rate()` means something: counters and a histogram's or summary's parts. */
const MONOTONIC_SUFFIX = /_(total|count|sum|bucket)$/;

/** Validates the custom metrics of a workload's metrics endpoint (`prop` is e.g. `metrics.custom`). */
export function resolveCustomMetrics(
  v: PropValidator,
  prop: string,
  metrics: readonly CustomMetric[] = [],
): ResolvedCustomMetric[] {
  const resolved = metrics.map((m, i) => {
    const at = `${prop}[${i}]`;
    v.knownProps(at, m, CUSTOM_METRIC_KEYS, 'custom metric');
    if (typeof m.title !== 'string' || m.title.trim() === '') {
      v.fail(`${at}.title`, 'is empty', 'give the panel a title such as "User creation rate"');
    }
    if (!METRIC_NAME.test(m.metric)) {
      v.fail(
        `${at}.metric`,
        `${JSON.stringify(m.metric)} is not a Prometheus metric name`,
        'use letters, digits, "_" and ":", not starting with a digit (e.g. "users_created_total")',
      );
    }
    for (const [label, value] of Object.entries(m.labels ?? {})) {
      if (!LABEL_NAME.test(label) || label.startsWith('__')) {
        v.fail(
          `${at}.labels.${label}`,
          'is not a Prometheus label name',
          'use letters, digits and "_", not starting with a digit or "__"',
        );
      }
      if (/["\\\n]/.test(value)) {
        v.fail(
          `${at}.labels.${label}`,
          `${JSON.stringify(value)} holds a quote, backslash or newline`,
          'match on a plain label value',
        );
      }
    }
    if (m.rate === true && !MONOTONIC_SUFFIX.test(m.metric)) {
      v.fail(
        `${at}.rate`,
        `is true but ${JSON.stringify(m.metric)} is not a counter`,
        'rate() only applies to counters, which Prometheus names with "_total" (or a histogram\'s "_count", "_sum", "_bucket"): set rate: false to chart the gauge as it is',
      );
    }
    return { ...m, rate: m.rate ?? COUNTER_SUFFIX.test(m.metric) };
  });
  v.unique(
    `${prop}[].title`,
    resolved.map((m) => m.title),
  );
  return resolved;
}

/** A regex that compiles and can sit in a PromQL string literal without escaping. */
function isUsableRegex(value: string): boolean {
  if (value === '' || /["\\]/.test(value)) return false;
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}

/** Where a service's request metrics come from. */
export type RequestSource = 'linkerd' | 'app';

/** Request rate, success and latency of one service, as PromQL aggregated `by (namespace)`. */
export interface RequestSignals {
  /** Where the numbers come from. */
  readonly source: RequestSource;
  /** Requests per second. */
  readonly rate: string;
  /** Share of responses that failed, 0 to 1. */
  readonly errorRatio: string;
  /** Share of responses that succeeded, 0 to 1. */
  readonly successRatio: string;
  /** Unit of {@link RequestSignals.latency}. */
  readonly latencyUnit: 'ms' | 's';
  /** A latency quantile (`0.99` for p99) in {@link RequestSignals.latencyUnit}. */
  latency(quantile: number): string;
}

/** Per-container saturation and restarts of one workload, as PromQL `by (namespace, pod, container)`. */
export interface ContainerSignals {
  /** CPU used, as a share of the CPU limit (containers without a limit are left out). */
  readonly cpuRatio: string;
  /** Memory working set, as a share of the memory limit (containers without a limit are left out). */
  readonly memoryRatio: string;
  /** Container restarts over the last hour. */
  readonly restartsPerHour: string;
}

/** PromQL for the workloads of one app namespace. */
export class WorkloadQueries {
  /**
   * @param namespace the app namespace
   * @param http names of the app's own HTTP metrics; a service's own `httpMetrics` override them
   */
  constructor(
    readonly namespace: string,
    readonly http: ResolvedHttpMetrics = DEFAULT_HTTP_METRICS,
  ) {}

  /** Regular expression of the names of a workload's pods. */
  static podPattern(node: GraphNode): string {
    return node.kind === 'StatefulSet' ? `${node.name}-[0-9]+` : `${node.name}-[a-z0-9]+-[a-z0-9]+`;
  }

  /**
   * Where a workload's request metrics come from: Linkerd for a meshed service, its own metrics for a service with
   * a metrics port, none for workers, load generators and databases (whose port is opaque TCP to Linkerd, and whose
   * metrics port is the exporter's).
   */
  static requestSource(node: GraphNode): RequestSource | undefined {
    if (node.component !== 'service') return undefined;
    if (node.meshed) return 'linkerd';
    return node.metricsPorts.length > 0 ? 'app' : undefined;
  }

  /** Request signals of a service, or `undefined` when it has no request metrics (see {@link requestSource}). */
  requests(node: GraphNode): RequestSignals | undefined {
    const source = WorkloadQueries.requestSource(node);
    if (source === undefined) return undefined;
    const sum = (metric: string, ...matchers: string[]): string =>
      `sum by (namespace) (rate(${selector(metric, matchers)}[${RATE_WINDOW}]))`;
    const quantile = (bucket: string, matchers: string[]) => (q: number) =>
      `histogram_quantile(${q}, sum by (namespace, le) (rate(${selector(bucket, matchers)}[${RATE_WINDOW}])))`;
    if (source === 'linkerd') {
      const scope = [
        `namespace="${this.namespace}"`,
        `${node.kind.toLowerCase()}="${node.name}"`,
        'direction="inbound"',
      ];
      const responses = sum('response_total', ...scope);
      return {
        source,
        rate: sum('request_total', ...scope),
        errorRatio: `${sum('response_total', ...scope, 'classification="failure"')} / ${responses}`,
        successRatio: `${sum('response_total', ...scope, 'classification="success"')} / ${responses}`,
        latencyUnit: 'ms',
        latency: quantile('response_latency_ms_bucket', scope),
      };
    }
    const scope = this.podScope(node);
    const { requestsTotal, durationSeconds, statusLabel, errorStatus } = { ...this.http, ...node.httpMetrics };
    const all = sum(requestsTotal, ...scope);
    return {
      source,
      rate: all,
      errorRatio: `${sum(requestsTotal, ...scope, `${statusLabel}=~"${errorStatus}"`)} / ${all}`,
      successRatio: `${sum(requestsTotal, ...scope, `${statusLabel}!~"${errorStatus}"`)} / ${all}`,
      latencyUnit: 's',
      latency: quantile(`${durationSeconds}_bucket`, scope),
    };
  }

  /** Matchers of a workload's pods. */
  private podScope(node: GraphNode): string[] {
    return [`namespace="${this.namespace}"`, `pod=~"${WorkloadQueries.podPattern(node)}"`];
  }

  /** Saturation and restarts of a workload's containers. */
  containers(node: GraphNode): ContainerSignals {
    const scope = this.podScope(node);
    // max, not sum: the kubelet can expose the same container series on two endpoints, and kube-state-metrics may
    // run more than one replica.
    const byContainer = (expr: string): string => `max by (namespace, pod, container) (${expr})`;
    const limit = (resource: string): string =>
      byContainer(selector('kube_pod_container_resource_limits', [...scope, `resource="${resource}"`]));
    // container="" is the pod's own cgroup, not a container.
    const usage = [...scope, 'container!=""'];
    return {
      cpuRatio: `${byContainer(`rate(${selector('container_cpu_usage_seconds_total', usage)}[${RATE_WINDOW}])`)} / ${limit('cpu')}`,
      memoryRatio: `${byContainer(selector('container_memory_working_set_bytes', usage))} / ${limit('memory')}`,
      restartsPerHour: byContainer(`increase(${selector('kube_pod_container_status_restarts_total', scope)}[1h])`),
    };
  }

  /** The custom metrics of a workload, each summed over its pods (a per-second rate for counters). */
  custom(node: GraphNode): { readonly metric: ResolvedCustomMetric; readonly query: LegendedQuery }[] {
    return (node.customMetrics ?? []).map((metric) => {
      const labels = Object.entries(metric.labels ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([label, value]) => `${label}="${value}"`);
      const raw = selector(metric.metric, [...this.podScope(node), ...labels]);
      const expr = `sum by (namespace) (${metric.rate ? `rate(${raw}[${RATE_WINDOW}])` : raw})`;
      return { metric, query: { expr, legend: metric.title } };
    });
  }

  /** The exporter metrics of a database workload, or `undefined` for other workloads and databases without metrics. */
  database(node: GraphNode): DatabaseQueries | undefined {
    if (node.engine === undefined || node.metricsPorts.length === 0) return undefined;
    const engine = ENGINE_METRICS[node.engine];
    const scope = this.podScope(node);
    /** The series summed per namespace (and its legend label), optionally as a per-second rate. */
    const series = (s: EngineSeries, rate: boolean): LegendedQuery => {
      const raw = selector(s.metric, [...scope, ...(s.matchers ?? [])]);
      const by = ['namespace', ...(s.by ? [s.by] : [])].join(', ');
      return { expr: `sum by (${by}) (${rate ? `rate(${raw}[${RATE_WINDOW}])` : raw})`, legend: s.legend };
    };
    return {
      engine: node.engine,
      up: `min by (namespace, pod) (${selector(engine.up, scope)})`,
      connections: series(engine.connections, false),
      throughputTitle: engine.throughputTitle,
      throughput: engine.throughput.map((s) => series(s, true)),
    };
  }

  /** The backup of a database, or `undefined` for other workloads and databases without one. */
  backup(node: GraphNode): BackupQueries | undefined {
    if (!node.backup) return undefined;
    const scope = [`namespace="${this.namespace}"`, `cronjob="${node.backup.cronJob}"`];
    const lastSuccess = `max(${selector('kube_cronjob_status_last_successful_time', scope)})`;
    const maxAgeSeconds = 2 * node.backup.intervalSeconds;
    const age = `time() - ${lastSuccess}`;
    return {
      age,
      maxAgeSeconds,
      overdue: `(${age} > ${maxAgeSeconds}) or (time() - max(${selector('kube_cronjob_created', scope)}) > ${maxAgeSeconds} unless ${lastSuccess})`,
    };
  }
}

/** PromQL of a database's scheduled backup, from kube-state-metrics' CronJob series. */
export interface BackupQueries {
  /** Seconds since the backup last succeeded (no series before its first success). */
  readonly age: string;
  /** Whether the backup is overdue: its last success, or its creation when it never succeeded, older than twice the
   * longest time between two of its runs. */
  readonly overdue: string;
  /** The threshold of `overdue`, in seconds. */
  readonly maxAgeSeconds: number;
}

/** A query with its legend. */
export interface LegendedQuery {
  readonly expr: string;
  readonly legend: string;
}

/** PromQL of one database's exporter metrics. */
export interface DatabaseQueries {
  readonly engine: DatabaseEngine;
  /** 1 while the exporter reaches the server, per pod. */
  readonly up: string;
  /** Client connections. */
  readonly connections: LegendedQuery;
  /** Title of the throughput panel. */
  readonly throughputTitle: string;
  /** Work done per second. */
  readonly throughput: readonly LegendedQuery[];
}

/** `metric{matcher, ...}`. */
function selector(metric: string, matchers: readonly string[]): string {
  return `${metric}{${matchers.join(', ')}}`;
}
