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

/** A network endpoint of a workload: what a dependency edge allows traffic to. */
export interface EndpointPort {
  /** Port number. */
  readonly port: number;
  /** Port name (also the Service port name). */
  readonly name: string;
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
  /** Whether its pods get a Linkerd proxy. */
  readonly meshed: boolean;
  /** What it is. */
  readonly component: Component;
  /** The controller that runs its pods. */
  readonly kind: 'Deployment' | 'StatefulSet';
  /** Whether a Service (named like the workload) fronts its pods: monitors use a ServiceMonitor, else a PodMonitor. */
  readonly hasService: boolean;
  /** HTTP path of its metrics endpoint, when it has `metricsPorts`. */
  readonly metricsPath?: string;
  /** The engine of a database (whose `metricsPorts` are its exporter's, see `observability/signals.ts`). */
  readonly engine?: DatabaseEngine;
}

/** A dependency: `from` opens connections to `to` on `ports`. */
export interface GraphEdge {
  readonly from: GraphNode;
  readonly to: GraphNode;
  readonly ports: readonly EndpointPort[];
}
