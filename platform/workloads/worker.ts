/** `Worker`: a workload with no Service (queue consumers, bots, schedulers). */
import { DEFAULT_METRICS_PATH } from '../core/graph';
import type { Construct } from 'constructs';
import type { HealthCheck } from '../core/probes';
import type { PropKeys } from '../core/known-props';
import { PropValidator, constructPath } from '../core/validate';
import { resolveCustomMetrics } from '../observability/signals';
import { DEFAULT_REPLICAS, DEFAULT_RESOURCES, DeploymentWorkload } from './deployment-workload';
import type { Replicas } from './scaling';
import { resolveScaling } from './scaling';
import type { MetricsEndpoint } from './service';
import { METRICS_ENDPOINT_KEYS, METRICS_PORT_NAME } from './service';
import type { VerticalScaling } from './vertical-scaling';
import { hpaResources, resolveVerticalScaling } from './vertical-scaling';
import type { ResolvedWorkload, WorkloadProps } from './workload-props';
import { WORKLOAD_PROP_KEYS, resolveHealthChecks, resolveWorkloadProps } from './workload-props';

const WORKER_PROP_KEYS: PropKeys<WorkerProps> = {
  ...WORKLOAD_PROP_KEYS,
  liveness: true,
  readiness: true,
  startup: true,
  metrics: true,
  replicas: true,
  verticalScaling: true,
};

/** What a Worker given the props of a Service should do instead. */
const WORKER_HINTS: Readonly<Record<string, string>> = {
  port: 'a Worker serves no port and nothing may connect to it: make it a Service to receive traffic, or give the port to metrics: { port } or to its health check, e.g. liveness: { http: "/healthz", port: 8080 }',
  protocol: 'a Worker serves no port: make it a Service to receive traffic',
  grpcPort: 'a Worker serves no port: make it a Service to receive traffic',
};

/** Properties of a {@link Worker}. */
export interface WorkerProps extends WorkloadProps {
  /**
   * Liveness check. A worker has no Service port, so there is no default: check a port it listens on for health or
   * metrics (`{ http: '/healthz', port: 8080 }`) or run a command (`{ exec: ['cat', '/tmp/alive'] }`).
   */
  readonly liveness: HealthCheck;
  /**
   * Readiness check.
   * @default the liveness check
   */
  readonly readiness?: HealthCheck;
  /**
   * Startup check.
   * @default the liveness check
   */
  readonly startup?: HealthCheck;
  /**
   * Prometheus metrics endpoint (its port is opened to Prometheus only).
   * @default none
   */
  readonly metrics?: Required<Pick<MetricsEndpoint, 'port'>> & MetricsEndpoint;
  /**
   * A fixed replica count or autoscaling bounds (CPU, or a custom metric such as queue length).
   * @default { min: 2, max: 5 } with a CPU target of 70%
   */
  readonly replicas?: Replicas;
  /**
   * A VerticalPodAutoscaler sizing the container's requests and limits (records the `vpa` add-on). It leaves alone
   * the resources the HPA scales on, unless its mode is `'Off'`.
   * @default none
   */
  readonly verticalScaling?: VerticalScaling;
}

/**
 * A Deployment with no Service: it only opens connections (declare them with `connectTo`), and nothing may
 * connect to it. Same secure defaults, autoscaling and disruption budget as `Service`.
 */
export class Worker extends DeploymentWorkload {
  /** The metrics endpoint, when the worker has one. */
  readonly metrics?: Required<MetricsEndpoint>;

  constructor(scope: Construct, id: string, props: WorkerProps) {
    const v = new PropValidator(constructPath(scope, id));
    v.knownProps('', props, WORKER_PROP_KEYS, 'Worker', WORKER_HINTS);
    v.knownProps('metrics', props?.metrics, METRICS_ENDPOINT_KEYS, 'metrics');
    const base = resolveWorkloadProps(scope, v, id, 'worker', props, { resources: DEFAULT_RESOURCES });
    const metrics = props.metrics && {
      port: v.port('metrics.port', props.metrics.port),
      path: props.metrics.path ?? DEFAULT_METRICS_PATH,
      custom: resolveCustomMetrics(v, 'metrics.custom', props.metrics.custom),
    };
    const metricsPorts = metrics ? [{ name: METRICS_PORT_NAME, port: metrics.port }] : [];
    const checks = resolveHealthChecks(v, props, metrics?.port);
    const spec: ResolvedWorkload = {
      ...base,
      ports: metricsPorts.map((p) => ({ ...p, appProtocol: 'http' })),
      clientPorts: [],
      metricsPorts,
      metricsPath: metrics?.path,
      customMetrics: metrics?.custom,
      ...checks,
      healthPort: metrics?.port,
    };
    const scaling = resolveScaling(v, props.replicas ?? DEFAULT_REPLICAS);
    const vertical =
      props.verticalScaling &&
      resolveVerticalScaling(v, 'verticalScaling', props.verticalScaling, { hpa: hpaResources(scaling) });
    super(scope, id, spec, scaling, vertical);
    this.metrics = metrics;
  }
}
