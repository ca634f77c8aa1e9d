/** The app graph: workloads, their ports, and the dependency edges between them. */
import type { Component } from './names';

/** A reference to one key of a Secret that the app expects at deploy time. */
export interface SecretKeyRef {
  /** Secret name. */
  readonly secret: string;
  /** Key inside the Secret. */
  readonly key: string;
}

/** Database engines (of the `Database` construct). */
export type DatabaseEngine = 'postgres' | 'mysql' | 'mongodb' | 'redis';

/** Message broker engines (of the `MessageBroker` construct). */
export type BrokerEngine = 'rabbitmq' | 'kafka';

/** A queue of a broker as the app graph sees it: who publishes to it and who consumes it (workload names). */
export interface BrokerQueue {
  /** Queue name. */
  readonly name: string;
  /** Workloads publishing to it, in declaration order. */
  readonly producers: readonly string[];
  /** Workloads consuming it, in declaration order. */
  readonly consumers: readonly string[];
  /** A Kafka topic's partitions (the most consumers of one group that get messages). */
  readonly partitions?: number;
  /** A Kafka topic's replication factor. */
  readonly replicas?: number;
}

/** A message broker, as alerts and dashboards see it. */
export interface BrokerSignal {
  /** The engine. */
  readonly engine: BrokerEngine;
  /** Its declared queues (Kafka: topics). */
  readonly queues: readonly BrokerQueue[];
  /** How many broker pods it runs. */
  readonly brokers: number;
}

/** A network endpoint of a workload: what a dependency edge allows traffic to. */
export interface EndpointPort {
  /** Port number. */
  readonly port: number;
  /** Port name (also the Service port name). */
  readonly name: string;
}

/**
 * A metric of the app's own domain that a workload exports (users created, messages queued), charted in the
 * workload's row of the app dashboard.
 */
export interface CustomMetric {
  /** Panel title: `User creation rate`. */
  readonly title: string;
  /** Prometheus metric name, as exported: `users_created_total`. */
  readonly metric: string;
  /**
   * Exact label values that narrow the series: `{ method: 'POST' }`.
   * @default none (every series of the metric from the workload's pods)
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Chart the per-second rate of a counter (`true`), or the current value of a gauge summed over the pods (`false`).
   * @default true when the name ends in `_total` or `_count` (a counter), else false
   */
  readonly rate?: boolean;
}

/** Default path Prometheus scrapes. */
export const DEFAULT_METRICS_PATH = '/metrics';

/** A database's scheduled backup, as alerts and dashboards see it. */
export interface BackupSignal {
  /** The CronJob's name. */
  readonly cronJob: string;
  /** The longest time between two scheduled runs, in seconds. */
  readonly intervalSeconds: number;
}

/** A workload as the app graph sees it. */
export interface GraphNode {
  /** Workload name (Deployment/StatefulSet name and `app.kubernetes.io/name`). */
  readonly name: string;
  /** Labels that select its pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** Ports it listens on (empty for workers). */
  readonly ports: readonly EndpointPort[];
  /** Ports that expose Prometheus metrics. */
  readonly metricsPorts: readonly EndpointPort[];
  /**
   * Ports its own pods reach each other on (a Kafka quorum's controller and replication listeners): admitted from
   * its own pods only, never from clients.
   */
  readonly peerPorts?: readonly EndpointPort[];
  /** Whether its pods get a Linkerd proxy. */
  readonly meshed: boolean;
  /** Ports its proxy treats as opaque TCP (database wire protocols), when meshed. */
  readonly opaquePorts?: readonly number[];
  /** What it is. */
  readonly component: Component;
  /** The controller that runs its pods (a CronJob only for a database's backup, which is not a workload). */
  readonly kind: 'Deployment' | 'StatefulSet' | 'CronJob';
  /** Whether a Service (named like the workload) fronts its pods: monitors use a ServiceMonitor, else a PodMonitor. */
  readonly hasService: boolean;
  /** HTTP path of its metrics endpoint, when it has `metricsPorts`. */
  readonly metricsPath?: string;
  /** The engine of a database (whose `metricsPorts` are its exporter's, see `observability/signals.ts`). */
  readonly engine?: DatabaseEngine;
  /** A database's scheduled backup, watched through kube-state-metrics. */
  readonly backup?: BackupSignal;
  /** A message broker's engine and queues (its `metricsPorts` are the engine's own metrics endpoint). */
  readonly broker?: BrokerSignal;
  /** Domain metrics it exports on its metrics port, charted on the app dashboard (`rate` resolved). */
  readonly customMetrics?: readonly (CustomMetric & { readonly rate: boolean })[];
  /**
   * Names of a service's own HTTP metrics that differ from the app's `httpMetrics` (a Go and a Python service of
   * one app name their request counters differently).
   */
  readonly httpMetrics?: HttpMetricNames;
}

/** A dependency: `from` opens connections to `to` on `ports`. */
export interface GraphEdge {
  readonly from: GraphNode;
  readonly to: GraphNode;
  readonly ports: readonly EndpointPort[];
}

/** The names of an app's own HTTP server metrics (used for services that Linkerd does not mesh). */
export interface HttpMetricNames {
  /**
   * Counter of handled requests, labelled with the response status.
   * @default 'http_requests_total'
   */
  readonly requestsTotal?: string;
  /**
   * Histogram of request durations in seconds, without the `_bucket` suffix.
   * @default 'http_request_duration_seconds'
   */
  readonly durationSeconds?: string;
  /**
   * Label of `requestsTotal` that holds the HTTP status code.
   * @default 'status'
   */
  readonly statusLabel?: string;
  /**
   * Regular expression (RE2, matched against the whole value) of the status codes that count as errors.
   * @default '5..'
   */
  readonly errorStatus?: string;
}

/** Pods in another namespace, optionally only those carrying `podLabels`. */
export interface NamespacePeer {
  /** The namespace (matched by its `kubernetes.io/metadata.name` label). */
  readonly namespace: string;
  /**
   * Labels the destination pods carry.
   * @default every pod of the namespace
   */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** An IP range, minus exceptions. */
export interface CidrPeer {
  /** The range: `203.0.113.0/24`, `2001:db8::/32`. */
  readonly cidr: string;
  /**
   * Sub-ranges of `cidr` that stay denied.
   * @default none
   */
  readonly except?: readonly string[];
}

/**
 * Where an egress rule allows connections to: `'internet'` (every public IPv4 and IPv6 address but the
 * private, shared, loopback and link-local ranges: `networking/egress.ts`), pods of another namespace, or an IP range.
 */
export type EgressPeer = 'internet' | NamespacePeer | CidrPeer;

/** Connections a workload may open to something outside its app. */
export interface EgressRule {
  /** The destination. */
  readonly to: EgressPeer;
  /** TCP ports of the destination (at least one). */
  readonly ports: readonly number[];
}
