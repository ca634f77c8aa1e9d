/**
 * `covid-visualizer`: real-time COVID-19 statistics through two ingress paths compared (reference app 3, seed
 * 002). A Locust generator posts case records to two hosts, one served by Contour and one by ingress-nginx; behind
 * each, a different write path (gRPC, or a Redis pub/sub queue) stores the case in MongoDB, so the two controllers
 * and the two paths can be compared on latency. A website shows the data live over WebSockets. Every workload is
 * meshed by Linkerd, for its golden metrics.
 *
 * Seed component → construct:
 * - Ingress #1, Contour on `contour.<domain>` → `Route` `contour` (HTTPProxy): `/cases` to the first path,
 *   `/` to the website with WebSockets enabled;
 * - Ingress #2, nginx on `nginx.<domain>` → `Route` `nginx` (Ingress of class `nginx`): `/cases` to the second
 *   path;
 * - path 1: app1 gRPC client (HTTP in) → `Service` `grpc-client`, with a canary release `grpc-client-canary` that
 *   gets 10% of the traffic (Contour weighted backends); gRPC server (HTTP/2) → `Service` `grpc-server`
 *   (protocol `grpc`), writes to `mongodb`;
 * - path 2: app2 Redis publisher (HTTP in) → `Service` `redis-pub`, publishes to `redis`; Redis subscriber →
 *   `Worker` `redis-sub` (no port), reads `redis` and writes to `mongodb`;
 * - NoSQL databases → `Database` `mongodb` (the cases) and `Database` `redis` (pub/sub, counters, last five
 *   cases), both StatefulSets whose exporters Prometheus scrapes;
 * - website (collections, top 3 areas, pie and bar charts, live over WebSockets) → `Service` `website`, reads
 *   `mongodb` and `redis`;
 * - horizontal and vertical autoscaling → an HPA on CPU for every stateless workload, and a VPA sizing the memory
 *   of the four write-path workloads;
 * - Linkerd golden metrics per deployment → `mesh: 'linkerd'` on the app (every pod gets a proxy; the database
 *   ports are opaque), and per route (`POST /cases`) through `routeMetrics` on the HTTP entry points;
 *   Prometheus and Grafana → a monitor for every podinfo workload and database exporter.
 */
import type { Construct } from 'constructs';
import { Database, PlatformChart, Route, Service, Worker } from '../platform';
import type { VerticalScaling } from '../platform';
import { AppSettings } from './settings';
import { backgroundWorker, grpcMicroservice, microservice } from './stand-ins';

/** Share of path 1's requests the canary release of the gRPC client receives, in percent. */
export const CANARY_WEIGHT = 10;
/** The path both hosts receive case records on, so that the two ingress controllers compare like for like. */
export const CASES_PATH = '/cases';
/**
 * The write paths also scale vertically: a VPA sizes their memory (CPU is the HPA's), within these bounds, since
 * a burst of records grows their buffers rather than their CPU.
 */
const MEMORY_VPA: VerticalScaling = { minAllowed: { memory: '64Mi' }, maxAllowed: { memory: '1Gi' } };

/** Builds the covid-visualizer app. */
export function covidVisualizer(scope: Construct): PlatformChart {
  const app = new PlatformChart(scope, 'covid-visualizer', { mesh: 'linkerd' });
  const settings = new AppSettings(app);
  const mongodb = new Database(app, 'mongodb', {
    engine: 'mongodb',
    image: settings.image('mongodb'),
    database: 'covid',
    storage: '10Gi',
    storageClass: settings.storageClass,
  });
  const redis = new Database(app, 'redis', {
    engine: 'redis',
    image: settings.image('redis'),
    storage: '1Gi',
    storageClass: settings.storageClass,
  });

  // Path 1: HTTP → gRPC client → gRPC server → MongoDB.
  const grpcServer = new Service(app, 'grpc-server', {
    ...grpcMicroservice(settings, 'grpc-server', { min: 2, max: 10 }),
    verticalScaling: MEMORY_VPA,
  });
  grpcServer.connectTo(mongodb, { envPrefix: 'MONGODB' });
  const grpcClient = new Service(app, 'grpc-client', {
    ...microservice(settings, 'grpc-client', { min: 2, max: 10 }),
    verticalScaling: MEMORY_VPA,
    routeMetrics: [{ method: 'POST', path: CASES_PATH }],
  });
  grpcClient.connectTo(grpcServer, { envPrefix: 'GRPC_SERVER' });
  const grpcClientCanary = new Service(app, 'grpc-client-canary', {
    ...microservice(settings, 'grpc-client-canary', { min: 1, max: 3 }),
    routeMetrics: [{ method: 'POST', path: CASES_PATH }],
  });
  grpcClientCanary.connectTo(grpcServer, { envPrefix: 'GRPC_SERVER' });

  // Path 2: HTTP → Redis publisher → Redis pub/sub → Redis subscriber → MongoDB.
  const redisPub = new Service(app, 'redis-pub', {
    ...microservice(settings, 'redis-pub', { min: 2, max: 10 }),
    verticalScaling: MEMORY_VPA,
    routeMetrics: [{ method: 'POST', path: CASES_PATH }],
  });
  redisPub.connectTo(redis, { envPrefix: 'REDIS' });
  const redisSub = new Worker(app, 'redis-sub', {
    ...backgroundWorker(settings, 'redis-sub', { min: 2, max: 10 }),
    verticalScaling: MEMORY_VPA,
  });
  redisSub.connectTo(redis, { envPrefix: 'REDIS' }).connectTo(mongodb, { envPrefix: 'MONGODB' });

  const website = new Service(app, 'website', microservice(settings, 'website', { min: 2, max: 4 }));
  website.connectTo(mongodb, { envPrefix: 'MONGODB' }).connectTo(redis, { envPrefix: 'REDIS' });

  new Route(app, 'contour', {
    host: settings.host('contour'),
    via: 'contour',
    paths: [
      { path: '/', to: website, websockets: true },
      {
        path: CASES_PATH,
        to: [
          { service: grpcClient, weight: 100 - CANARY_WEIGHT },
          { service: grpcClientCanary, weight: CANARY_WEIGHT },
        ],
      },
    ],
  });
  new Route(app, 'nginx', {
    host: settings.host('nginx'),
    via: 'nginx',
    paths: [{ path: CASES_PATH, to: redisPub }],
  });
  return app;
}
