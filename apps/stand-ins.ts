/**
 * Service props for the public stand-ins of the reference apps (`../shared/reference-apps.md`): podinfo for an
 * HTTP microservice, nginx-unprivileged for a static web front end. Each reads the workload's image and replicas
 * from the app settings, so a user swaps in their own image without editing the app.
 */
import type { DatabaseProps, MessageBrokerProps, Replicas, ServiceProps, WorkerProps } from '../platform';
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
 * podinfo's command: its image has a CMD (`./podinfo`, from its WORKDIR `/home/app`) and no ENTRYPOINT, so `args`
 * alone would replace the program with its first flag. Every podinfo stand-in that passes `args` sets it.
 */
export const MICROSERVICE_COMMAND: readonly string[] = ['./podinfo'];

/** podinfo's endpoint that echoes a POSTed body, forwarding it first to every `--backend-url`. */
export const MICROSERVICE_ECHO_PATH = '/api/echo';

/**
 * An HTTP microservice on podinfo: port 9898, Prometheus metrics on 9797, liveness `/healthz`, readiness
 * `/readyz`, and `replicas` unless a `<app>/<name>/replicas` setting overrides them. Spread the result and add
 * what the service needs (`env`, `resources`, ...).
 *
 * `forwardTo` names HTTP dependencies by the env prefix of their `connectTo` (`ROOM_SERVER` reads
 * `$(ROOM_SERVER_URL)`): podinfo forwards each `POST /api/echo` to theirs, so load on this service reaches them
 * along the app's edges, as the real service's calls would.
 */
export function microservice(
  settings: AppSettings,
  name: string,
  replicas: Replicas,
  forwardTo: readonly string[] = [],
): ServiceProps {
  return {
    image: settings.image(name, IMAGES.microservice),
    port: MICROSERVICE_HTTP_PORT,
    metrics: { port: MICROSERVICE_METRICS_PORT },
    command: MICROSERVICE_COMMAND,
    args: [
      `--port=${MICROSERVICE_HTTP_PORT}`,
      `--port-metrics=${MICROSERVICE_METRICS_PORT}`,
      ...forwardTo.map((prefix) => `--backend-url=$(${prefix}_URL)${MICROSERVICE_ECHO_PATH}`),
    ],
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
    command: MICROSERVICE_COMMAND,
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
    command: MICROSERVICE_COMMAND,
    args: [`--port=${MICROSERVICE_HTTP_PORT}`, `--port-metrics=${MICROSERVICE_METRICS_PORT}`],
    liveness: { http: '/healthz' },
    replicas: settings.replicas(name, replicas),
  };
}

/**
 * A database on the engine's official image (the preset's pinned tag unless a `<app>/<name>/image` setting
 * overrides it), on the `storageClass` setting's volumes.
 */
export function database(
  settings: AppSettings,
  name: string,
  props: Omit<DatabaseProps, 'image' | 'storageClass'>,
): DatabaseProps {
  return { ...props, image: settings.image(name), storageClass: settings.storageClass };
}

/** A message broker on the engine's official image, like {@link database}. */
export function broker(
  settings: AppSettings,
  name: string,
  props: Omit<MessageBrokerProps, 'image' | 'storageClass'>,
): MessageBrokerProps {
  return { ...props, image: settings.image(name), storageClass: settings.storageClass };
}
