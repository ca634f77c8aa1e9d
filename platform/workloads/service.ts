/** `Service`: an HTTP and/or gRPC microservice. */
import type { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { DEFAULT_METRICS_PATH, type CustomMetric, type EndpointPort } from '../core/graph';
import { serviceHost } from '../core/names';
import type { HealthCheck } from '../core/probes';
import type { PropKeys } from '../core/known-props';
import { PropValidator, constructPath } from '../core/validate';
import type { ServiceProfileV1Alpha2 } from '../crds/serviceprofiles-linkerd.io';
import { LINKERD_OPAQUE_PORTS_ANNOTATION } from '../mesh/linkerd';
import type { ResolvedRouteMetric, RouteMetric } from '../mesh/route-metrics';
import { addServiceProfile, resolveRouteMetrics } from '../mesh/route-metrics';
import type { HttpMetricNames, ResolvedCustomMetric } from '../observability/signals';
import { resolveCustomMetrics, resolveHttpMetrics } from '../observability/signals';
import { DEFAULT_REPLICAS, DEFAULT_RESOURCES, DeploymentWorkload } from './deployment-workload';
import type { Replicas } from './scaling';
import { resolveScaling } from './scaling';
import type { VerticalScaling } from './vertical-scaling';
import { hpaResources, resolveVerticalScaling } from './vertical-scaling';
import type { Connectable, Workload } from './workload';
import type { ResolvedWorkload, WorkloadProps } from './workload-props';
import { WORKLOAD_PROP_KEYS, resolveHealthChecks, resolveWorkloadProps } from './workload-props';

/** Name of a dedicated metrics port. */
export const METRICS_PORT_NAME = 'http-metrics';
/** `appProtocol` of a cleartext HTTP/2 (gRPC) port, understood by Gateway API implementations and Contour. */
export const H2C_APP_PROTOCOL = 'kubernetes.io/h2c';

/** Where a workload serves Prometheus metrics. */
export interface MetricsEndpoint {
  /**
   * Port of the metrics endpoint; a port other than the service's ports becomes a dedicated `http-metrics` port.
   * @default the main port
   */
  readonly port?: number;
  /**
   * HTTP path.
   * @default '/metrics'
   */
  readonly path?: string;
  /**
   * Metrics of the app's own domain served there (users created, jobs queued), each charted in the workload's row
   * of the app dashboard: `[{ title: 'User creation rate', metric: 'users_created_total' }]`.
   * @default none
   */
  readonly custom?: readonly CustomMetric[];
}

/** Properties of a {@link Service}. */
export interface ServiceProps extends WorkloadProps {
  /** The port the service listens on (container and Service port). */
  readonly port: number;
  /**
   * Protocol of `port`: `http` (HTTP/1.1 or WebSockets) or `grpc` (HTTP/2 cleartext).
   * @default 'http'
   */
  readonly protocol?: 'http' | 'grpc';
  /**
   * A second, gRPC port for services that speak both (podinfo: 9898 HTTP, 9999 gRPC).
   * @default none
   */
  readonly grpcPort?: number;
  /**
   * Prometheus metrics endpoint; every Service with one gets a monitor.
   * @default none (a meshed service still has Linkerd's golden metrics)
   */
  readonly metrics?: MetricsEndpoint;
  /**
   * Names of this service's own HTTP server metrics (on its `metrics` endpoint), read by the app's alerts and
   * dashboard when Linkerd does not mesh it; what is left out keeps the app's `httpMetrics`. A Go service
   * (`http_requests_total`) and a Python one (`http_server_requests_total` by `code`) of one app each say theirs.
   * @default the app's `httpMetrics`
   */
  readonly httpMetrics?: HttpMetricNames;
  /**
   * A fixed replica count or autoscaling bounds.
   * @default { min: 2, max: 5 } with a CPU target of 70%
   */
  readonly replicas?: Replicas;
  /**
   * A VerticalPodAutoscaler sizing the container's requests and limits (records the `vpa` add-on). It leaves alone
   * the resources the HPA scales on, unless its mode is `'Off'`.
   * @default none
   */
  readonly verticalScaling?: VerticalScaling;
  /**
   * HTTP routes whose golden metrics Linkerd reports separately (a ServiceProfile, which also carries per-route
   * timeouts and retries). Needs the service to be meshed.
   * @default none (one set of golden metrics for the whole service)
   */
  readonly routeMetrics?: readonly RouteMetric[];
  /**
   * Liveness check: a failing container is restarted.
   * @default a TCP connect to `port`
   */
  readonly liveness?: HealthCheck;
  /**
   * Readiness check: a failing pod gets no traffic.
   * @default HTTP GET `/` on `port` for `http`, the gRPC health protocol for `grpc`
   */
  readonly readiness?: HealthCheck;
  /**
   * Startup check: liveness and readiness wait until it passes once (up to two minutes).
   * @default the liveness check
   */
  readonly startup?: HealthCheck;
}

/**
 * An HTTP and/or gRPC microservice: Deployment, Service, ServiceAccount, HorizontalPodAutoscaler,
 * PodDisruptionBudget and topology spread, with the restricted security profile, probes and resources.
 *
 * ```ts
 * const backend = new Service(app, 'backend', { image: 'ghcr.io/stefanprodan/podinfo:6.7.1', port: 9898 });
 * backend.connectTo(db);
 * ```
 */
export class Service extends DeploymentWorkload implements Connectable {
  /** The Kubernetes Service. */
  readonly service: k8s.KubeService;
  /** Protocol of the main port. */
  readonly protocol: 'http' | 'grpc';
  /** The main port. */
  readonly port: number;
  /** The gRPC port, when the service has one. */
  readonly grpcPort?: number;
  /** The metrics endpoint, when the service has one. */
  readonly metrics?: Required<MetricsEndpoint>;
  /** The Linkerd ServiceProfile, when the service has `routeMetrics`. */
  readonly serviceProfile?: ServiceProfileV1Alpha2;

  constructor(scope: Construct, id: string, props: ServiceProps) {
    const { spec, scaling, vertical, routeMetrics, metrics } = resolveServiceProps(scope, id, props);
    super(scope, id, spec, scaling, vertical);
    this.protocol = props.protocol ?? 'http';
    this.port = props.port;
    this.grpcPort = this.protocol === 'grpc' ? props.port : props.grpcPort;
    this.metrics = metrics;
    this.service = addClusterService(this, spec.ports);
    if (routeMetrics.length) {
      this.serviceProfile = addServiceProfile(
        this,
        { service: spec.name, namespace: this.app.namespace as string, labels: this.labels },
        routeMetrics,
      );
    }
  }

  /** `<PREFIX>_HOST`, `<PREFIX>_PORT`, `<PREFIX>_ADDR` (`host:port`), and `<PREFIX>_URL` for HTTP services. */
  connectionEnv(prefix: string): k8s.EnvVar[] {
    const host = serviceHost(this.name, this.app.namespace as string);
    const env: k8s.EnvVar[] = [
      { name: `${prefix}_HOST`, value: host },
      { name: `${prefix}_PORT`, value: String(this.port) },
      { name: `${prefix}_ADDR`, value: `${host}:${this.port}` },
    ];
    if (this.protocol === 'http') env.push({ name: `${prefix}_URL`, value: `http://${host}:${this.port}` });
    if (this.grpcPort !== undefined && this.grpcPort !== this.port) {
      env.push({ name: `${prefix}_GRPC_ADDR`, value: `${host}:${this.grpcPort}` });
    }
    return env;
  }
}

/**
 * The ClusterIP Service named like a workload, selecting its pods, each port targeting the container port by name;
 * its opaque ports are annotated for the Linkerd proxies of its clients.
 */
export function addClusterService(workload: Workload, ports: ResolvedWorkload['ports']): k8s.KubeService {
  const opaque = workload.opaquePorts.length
    ? { [LINKERD_OPAQUE_PORTS_ANNOTATION]: workload.opaquePorts.join(',') }
    : undefined;
  return new k8s.KubeService(workload, 'service', {
    metadata: { name: workload.name, labels: workload.labels, annotations: opaque },
    spec: {
      type: 'ClusterIP',
      selector: workload.selector,
      ports: ports.map(({ name, port, appProtocol }) => ({
        name,
        port,
        targetPort: k8s.IntOrString.fromString(name),
        protocol: 'TCP',
        appProtocol,
      })),
    },
  });
}

const SERVICE_PROP_KEYS: PropKeys<ServiceProps> = {
  ...WORKLOAD_PROP_KEYS,
  port: true,
  protocol: true,
  grpcPort: true,
  metrics: true,
  httpMetrics: true,
  replicas: true,
  verticalScaling: true,
  routeMetrics: true,
  liveness: true,
  readiness: true,
  startup: true,
};

/** The keys of a metrics endpoint. */
export const METRICS_ENDPOINT_KEYS: PropKeys<MetricsEndpoint> = { port: true, path: true, custom: true };

function resolveServiceProps(scope: Construct, id: string, props: ServiceProps) {
  const v = new PropValidator(constructPath(scope, id));
  v.knownProps('', props, SERVICE_PROP_KEYS, 'Service');
  v.knownProps('metrics', props?.metrics, METRICS_ENDPOINT_KEYS, 'metrics');
  const base = resolveWorkloadProps(scope, v, id, 'service', props, { resources: DEFAULT_RESOURCES });
  const protocol = props.protocol ?? 'http';
  if (protocol !== 'http' && protocol !== 'grpc')
    v.fail('protocol', `${JSON.stringify(protocol)} is not supported`, 'use "http" or "grpc"');
  v.port('port', props.port);
  const ports: (EndpointPort & { appProtocol: string })[] = [
    { name: protocol, port: props.port, appProtocol: protocol === 'grpc' ? H2C_APP_PROTOCOL : 'http' },
  ];
  if (props.grpcPort !== undefined) {
    if (protocol === 'grpc')
      v.fail('grpcPort', 'is set on a gRPC service', 'leave grpcPort out: port is already the gRPC port');
    ports.push({ name: 'grpc', port: v.port('grpcPort', props.grpcPort), appProtocol: H2C_APP_PROTOCOL });
  }
  let metrics: Required<MetricsEndpoint> | undefined;
  let customMetrics: ResolvedCustomMetric[] | undefined;
  const clientPorts = [...ports];
  if (props.metrics) {
    customMetrics = resolveCustomMetrics(v, 'metrics.custom', props.metrics.custom);
    metrics = {
      port: props.metrics.port ?? props.port,
      path: props.metrics.path ?? DEFAULT_METRICS_PATH,
      custom: customMetrics,
    };
    v.port('metrics.port', metrics.port);
    if (typeof metrics.path !== 'string' || !metrics.path.startsWith('/'))
      v.fail(
        'metrics.path',
        `${JSON.stringify(metrics.path)} is not a path`,
        'use an absolute URL path such as "/metrics"',
      );
    if (!ports.some((p) => p.port === metrics?.port))
      ports.push({ name: METRICS_PORT_NAME, port: metrics.port, appProtocol: 'http' });
  }
  v.unique(
    'ports',
    ports.map((p) => p.port),
  );
  if (props.httpMetrics !== undefined) {
    if (!props.metrics)
      v.fail(
        'httpMetrics',
        `${JSON.stringify(props.httpMetrics)} is set but the service has no metrics endpoint`,
        'add metrics: { path: "/metrics" } (the port defaults to the service port), or leave httpMetrics out',
      );
    resolveHttpMetrics(v, props.httpMetrics);
  }
  const defaultLiveness: HealthCheck = { tcp: true };
  const defaultReadiness: HealthCheck = protocol === 'grpc' ? { grpc: true } : { http: '/' };
  const checks = resolveHealthChecks(
    v,
    {
      liveness: props.liveness ?? defaultLiveness,
      readiness: props.readiness ?? (props.liveness ? undefined : defaultReadiness),
      startup: props.startup,
    },
    props.port,
  );
  const metricsPorts = metrics
    ? [ports.find((p) => p.port === metrics?.port) as EndpointPort].map(({ name, port }) => ({ name, port }))
    : [];
  const spec: ResolvedWorkload = {
    ...base,
    ports,
    metricsPorts,
    metricsPath: metrics?.path,
    customMetrics,
    httpMetrics: props.httpMetrics && { ...props.httpMetrics },
    ...checks,
    healthPort: props.port,
    clientPorts,
  };
  const scaling = resolveScaling(v, props.replicas ?? DEFAULT_REPLICAS);
  const vertical =
    props.verticalScaling &&
    resolveVerticalScaling(v, 'verticalScaling', props.verticalScaling, { hpa: hpaResources(scaling) });
  return { spec, scaling, vertical, routeMetrics: resolveServiceRouteMetrics(v, props, base), metrics };
}

/** Per-route metrics come from the Linkerd proxies: they need the service to be meshed. */
function resolveServiceRouteMetrics(
  v: PropValidator,
  props: ServiceProps,
  base: Pick<ResolvedWorkload, 'mesh' | 'proxy'>,
): ResolvedRouteMetric[] {
  if (!props.routeMetrics?.length) return [];
  if (!base.proxy) {
    const [problem, fix] = base.mesh
      ? ['is set but the app is not meshed', 'set mesh: "linkerd" on the PlatformChart']
      : ['is set on a service that opts out of the mesh', 'remove mesh: false'];
    v.fail('routeMetrics', problem, `${fix} (per-route metrics come from the Linkerd proxies), or leave it out`);
  }
  return resolveRouteMetrics(v, 'routeMetrics', props.routeMetrics);
}
