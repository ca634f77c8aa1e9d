/**
 * Service props for the public stand-ins of the reference apps (`../shared/reference-apps.md`): podinfo for an
 * HTTP microservice, nginx-unprivileged for a static web front end. Each reads the workload's image and replicas
 * from the app settings, so a user swaps in their own image without editing the app.
 */
import type { Replicas, ServiceProps, WorkerProps } from '../platform';
import { IMAGES } from './images';
import type { AppSettings } from './settings';

/** podinfo's HTTP port (`--port`). */
export const MICROSERVICE_HTTP_PORT = 9898;
/** podinfo's gRPC port (`--grpc-port`). */
export const MICROSERVICE_GRPC_PORT = 9999;
/** podinfo's Prometheus port (`--port-metrics`). */
export const MICROSERVICE_METRICS_PORT = 9797;
/** nginx-unprivileged's HTTP port. */
export const STATIC_WEB_PORT = 8080;

/**
 * An HTTP microservice on podinfo: port 9898, Prometheus metrics on 9797, liveness `/healthz`, readiness
 * `/readyz`, and `replicas` unless a `<app>/<name>/replicas` setting overrides them. Spread the result and add
 * what the service needs (`env`, `resources`, ...).
 */
export function microservice(settings: AppSettings, name: string, replicas: Replicas): ServiceProps {
  return {
    image: settings.image(name, IMAGES.microservice),
    port: MICROSERVICE_HTTP_PORT,
    metrics: { port: MICROSERVICE_METRICS_PORT },
    args: [`--port=${MICROSERVICE_HTTP_PORT}`, `--port-metrics=${MICROSERVICE_METRICS_PORT}`],
    liveness: { http: '/healthz' },
    readiness: { http: '/readyz' },
    replicas: settings.replicas(name, replicas),
  };
}

/**
 * A gRPC microservice on podinfo: port 9999 (HTTP/2 cleartext), checked with the gRPC health protocol, Prometheus
 * metrics on 9797.
 */
export function grpcMicroservice(settings: AppSettings, name: string, replicas: Replicas): ServiceProps {
  return {
    image: settings.image(name, IMAGES.microservice),
    protocol: 'grpc',
    port: MICROSERVICE_GRPC_PORT,
    metrics: { port: MICROSERVICE_METRICS_PORT },
    args: [`--grpc-port=${MICROSERVICE_GRPC_PORT}`, `--port-metrics=${MICROSERVICE_METRICS_PORT}`],
    liveness: { grpc: true },
    replicas: settings.replicas(name, replicas),
  };
}

/** A static web front end on nginx-unprivileged (port 8080, ready when `/` answers). */
export function staticSite(settings: AppSettings, name: string, replicas: Replicas): ServiceProps {
  return {
    image: settings.image(name, IMAGES.staticWeb),
    port: STATIC_WEB_PORT,
    replicas: settings.replicas(name, replicas),
  };
}

/**
 * A background worker on podinfo: no Service port (nothing connects to it); Prometheus metrics on 9797, where
 * podinfo also answers `/healthz`, which is its liveness check.
 */
export function backgroundWorker(settings: AppSettings, name: string, replicas: Replicas): WorkerProps {
  return {
    image: settings.image(name, IMAGES.microservice),
    metrics: { port: MICROSERVICE_METRICS_PORT },
    args: [`--port=${MICROSERVICE_HTTP_PORT}`, `--port-metrics=${MICROSERVICE_METRICS_PORT}`],
    liveness: { http: '/healthz' },
    replicas: settings.replicas(name, replicas),
  };
}
