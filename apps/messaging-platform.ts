/**
 * `messaging-platform`: a user service under generated load (reference app 4, seed 003), built to validate
 * Kubernetes autoscaling: a load generator creates users at a chosen rate, the user service scales on CPU and on
 * its request rate, and the load generator itself scales out when it falls short of its rate. The seed targets
 * EKS (the `eks-dev` stack), where it used Terraform.
 *
 * Seed component → construct:
 * - user-service (`POST /create`, `GET /get?id=`) → `Service` `user-service`, routed at `/user-service` on
 *   `messaging.<domain>`; stores users in `postgres`, caches them in `redis`; HPA on CPU and on
 *   `http_requests_per_second` (prometheus-adapter's rate of the `http_requests_total` counter it exports);
 * - message-service → `Service` `message-service`, routed at `/message-service`; stores messages in `postgres`
 *   and looks senders up on `user-service`;
 * - load-generator (`GET /start`) → `Service` `load-generator`, routed at `/load-generator` on
 *   `messaging-load.<domain>`; calls `user-service`; HPA on CPU and on `load_generator_missed_requests_per_second`
 *   (the rate of requests it could not send on time: the real image exports `load_generator_missed_requests_total`,
 *   also charted on the dashboard; the stand-in does not, so there only CPU drives it);
 * - message-user-ui and load-generator-ui (web UIs) → static-site `Service`s at `/` of each host;
 * - PostgreSQL → `Database` `postgres` (StatefulSet); Redis cache → `Database` `redis`;
 * - Prometheus custom metric (user creation rate) and Grafana → `USER_CREATION_RATE`, a custom metric of
 *   user-service charted in its row of the app dashboard (with request, success and latency panels of every
 *   service), golden-signal alerts, monitors of every podinfo service and database exporter; prometheus-adapter
 *   serves the HPAs' custom metrics.
 *
 * - asynchronous user creation (the seed's queue experiment) → `MessageBroker` `rabbitmq` declaring the queue
 *   `user-creations`: user-service publishes to it, the `Worker` `user-creator` consumes it and writes the users to
 *   `postgres`, scaling on the queue's depth with KEDA (one replica per 20 waiting messages, 1 to 10).
 *
 * The podinfo stand-ins of load-generator and message-service forward `POST /api/echo` to user-service, so the
 * generated load follows the app's edges. The podinfo stand-ins of user-service and user-creator do not speak AMQP:
 * the end-to-end suite publishes and consumes from inside their pods (their network identity and variables).
 */
import type { Construct } from 'constructs';
import { Database, MessageBroker, PlatformChart, Route, Service, Worker } from '../platform';
import type { CustomMetric } from '../platform';
import { AppSettings } from './settings';
import { MICROSERVICE_METRICS_PORT, backgroundWorker, broker, database, microservice, staticSite } from './stand-ins';

/**
 * The seed's custom metric, the user creation rate: `POST` requests to user-service (its only `POST` is
 * `/create`), from the request-duration histogram that the podinfo stand-in, like most HTTP middleware, exports.
 */
export const USER_CREATION_RATE: CustomMetric = {
  title: 'User creation rate',
  metric: 'http_request_duration_seconds_count',
  labels: { method: 'POST' },
};
/** The custom metric the user service also scales on: requests per second per pod. */
export const USER_SERVICE_RATE_METRIC = 'http_requests_per_second';
/** The counter of requests the seed's load generator could not send on time. */
export const LOAD_GENERATOR_MISSED_COUNTER = 'load_generator_missed_requests_total';
/** The load generator scales on that counter's rate per pod, as prometheus-adapter serves it (`*_per_second`). */
export const LOAD_GENERATOR_SHORTFALL_METRIC = LOAD_GENERATOR_MISSED_COUNTER.replace(/_total$/, '_per_second');

/** The queue of asynchronous user creations. */
export const USER_CREATIONS_QUEUE = 'user-creations';
/** Waiting messages one user-creator replica is expected to keep up with. */
export const USER_CREATIONS_PER_REPLICA = 20;

/** Builds the messaging-platform app. */
export function messagingPlatform(scope: Construct): PlatformChart {
  const app = new PlatformChart(scope, 'messaging-platform');
  const settings = new AppSettings(app);
  const postgres = new Database(
    app,
    'postgres',
    database(settings, 'postgres', { engine: 'postgres', storage: '20Gi' }),
  );
  const redis = new Database(app, 'redis', database(settings, 'redis', { engine: 'redis', storage: '1Gi' }));

  const userService = new Service(app, 'user-service', {
    ...microservice(settings, 'user-service', {
      min: 2,
      max: 10,
      cpuUtilization: 70,
      podsMetrics: [{ name: USER_SERVICE_RATE_METRIC, averageValue: '100' }],
    }),
    metrics: { port: MICROSERVICE_METRICS_PORT, custom: [USER_CREATION_RATE] },
  });
  userService.connectTo(postgres, { envPrefix: 'DATABASE' }).connectTo(redis, { envPrefix: 'CACHE' });

  const rabbitmq = new MessageBroker(
    app,
    'rabbitmq',
    broker(settings, 'rabbitmq', { engine: 'rabbitmq', queues: [USER_CREATIONS_QUEUE] }),
  );
  const creations = rabbitmq.queue(USER_CREATIONS_QUEUE);
  userService.publishesTo(creations);
  const userCreator = new Worker(
    app,
    'user-creator',
    backgroundWorker(settings, 'user-creator', {
      min: 1,
      max: 10,
      queue: creations,
      messagesPerReplica: USER_CREATIONS_PER_REPLICA,
    }),
  );
  userCreator.connectTo(postgres, { envPrefix: 'DATABASE' });
  const messageService = new Service(
    app,
    'message-service',
    microservice(settings, 'message-service', { min: 2, max: 6 }, ['USER_SERVICE']),
  );
  messageService.connectTo(postgres, { envPrefix: 'DATABASE' }).connectTo(userService);
  const loadGenerator = new Service(app, 'load-generator', {
    ...microservice(
      settings,
      'load-generator',
      { min: 1, max: 5, podsMetrics: [{ name: LOAD_GENERATOR_SHORTFALL_METRIC, averageValue: '1' }] },
      ['USER_SERVICE'],
    ),
    metrics: {
      port: MICROSERVICE_METRICS_PORT,
      custom: [{ title: 'Requests missed (not sent on time)', metric: LOAD_GENERATOR_MISSED_COUNTER }],
    },
  });
  loadGenerator.connectTo(userService);
  const messageUserUi = new Service(
    app,
    'message-user-ui',
    staticSite(settings, 'message-user-ui', { min: 2, max: 4 }),
  );
  const loadGeneratorUi = new Service(app, 'load-generator-ui', staticSite(settings, 'load-generator-ui', 1));

  // The seed's own URLs (`user-service/create`, `load-generator/start`) become the path prefixes.
  new Route(app, 'web', {
    host: settings.host('messaging'),
    via: 'gateway',
    paths: [
      { path: '/', to: messageUserUi },
      { path: '/user-service', to: userService },
      { path: '/message-service', to: messageService },
    ],
  });
  new Route(app, 'load', {
    host: settings.host('messaging-load'),
    via: 'gateway',
    paths: [
      { path: '/', to: loadGeneratorUi },
      { path: '/load-generator', to: loadGenerator },
    ],
  });
  return app;
}
