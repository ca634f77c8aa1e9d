/**
 * `covid-visualizer`: real-time COVID-19 statistics through two ingress paths compared (reference app 3, seed
 * 002). A Locust generator posts case records to two hosts, one served by Contour and one by ingress-nginx; behind
 * each, a different write path (gRPC, or a Redis pub/sub queue) stores the case in MongoDB, so the two controllers
 * and the two paths can be compared on latency. A website shows the data live over WebSockets. Every workload is
 * meshed by Linkerd, for its golden metrics.
 *
 * Seed component → construct:
 * - traffic generator (Locust, `traffic.py` reading `traffic.json`: name, location, age, infectedtype, state;
 *   users, spawn rate and host as props) → `LoadGenerator` `traffic` (`apps/locust/covid-visualizer/`), whose
 *   users post records to both hosts in turn, its workers allowed out to the two ingress controllers only;
 * - Ingress #1, Contour on `contour.<domain>` → `Route` `contour` (HTTPProxy): `/api` to the first path,
 *   `/` to the website with WebSockets enabled;
 * - Ingress #2, nginx on `nginx.<domain>` → `Route` `nginx` (Ingress of class `nginx`): `/api` to the second
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
 *   ports are opaque), and per route (`POST /api`) through `routeMetrics` on the HTTP entry points;
 *   Prometheus and Grafana → a monitor for every podinfo workload and database exporter.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Construct } from 'constructs';
import { ADDON_NAMESPACES, Database, LoadGenerator, PlatformChart, Route, Service, Worker } from '../platform';
import type { VerticalScaling } from '../platform';
import { IMAGES } from './images';
import { AppSettings } from './settings';
import { MICROSERVICE_ECHO_PATH, backgroundWorker, database, grpcMicroservice, microservice } from './stand-ins';

/** Share of path 1's requests the canary release of the gRPC client receives, in percent. */
export const CANARY_WEIGHT = 10;
/** The prefix both hosts route to the entry of their write path, so that the two controllers compare like for like. */
export const API_PATH = '/api';
/**
 * Where the traffic generator posts each case record, under {@link API_PATH}: the stand-in's echo endpoint (a real
 * entry service takes the records on its own path there).
 */
export const RECORDS_PATH = MICROSERVICE_ECHO_PATH;
/** Simulated users of the traffic generator at full load, and how many it starts per second. */
export const TRAFFIC = { users: 200, spawnRate: 10 } as const;
/** Where the locustfile (`traffic.py`, the name the seed gives it) and its `traffic.json` records live. */
const LOCUST_DIR = join(__dirname, 'locust', 'covid-visualizer');
/**
 * The ports the traffic generator's workers open towards the two ingress controllers: a host resolves to the
 * controller's load balancer (a public address, port 80), which kube-proxy may instead send straight to the
 * controller's pods (Envoy listens on 8080 in `projectcontour`, ingress-nginx on 80).
 */
const INGRESS_POD_PORTS = { contour: 8080, nginx: 80 } as const;
/**
 * The write paths also scale vertically: a VPA sizes their memory (CPU is the HPA's), within these bounds, since
 * a burst of records grows their buffers rather than their CPU.
 */
const MEMORY_VPA: VerticalScaling = { minAllowed: { memory: '64Mi' }, maxAllowed: { memory: '1Gi' } };

/** Builds the covid-visualizer app. */
export function covidVisualizer(scope: Construct): PlatformChart {
  const app = new PlatformChart(scope, 'covid-visualizer', { mesh: 'linkerd' });
  const settings = new AppSettings(app);
  const mongodb = new Database(
    app,
    'mongodb',
    database(settings, 'mongodb', { engine: 'mongodb', database: 'covid', storage: '10Gi' }),
  );
  const redis = new Database(app, 'redis', database(settings, 'redis', { engine: 'redis', storage: '1Gi' }));

  // Path 1: HTTP → gRPC client → gRPC server → MongoDB.
  const grpcServer = new Service(app, 'grpc-server', {
    ...grpcMicroservice(settings, 'grpc-server', { min: 2, max: 10 }),
    verticalScaling: MEMORY_VPA,
  });
  grpcServer.connectTo(mongodb, { envPrefix: 'MONGODB' });
  const grpcClient = new Service(app, 'grpc-client', {
    ...microservice(settings, 'grpc-client', { min: 2, max: 10 }),
    verticalScaling: MEMORY_VPA,
    routeMetrics: [{ method: 'POST', path: API_PATH }],
  });
  grpcClient.connectTo(grpcServer, { envPrefix: 'GRPC_SERVER' });
  const grpcClientCanary = new Service(app, 'grpc-client-canary', {
    ...microservice(settings, 'grpc-client-canary', { min: 1, max: 3 }),
    routeMetrics: [{ method: 'POST', path: API_PATH }],
  });
  grpcClientCanary.connectTo(grpcServer, { envPrefix: 'GRPC_SERVER' });

  // Path 2: HTTP → Redis publisher → Redis pub/sub → Redis subscriber → MongoDB.
  const redisPub = new Service(app, 'redis-pub', {
    ...microservice(settings, 'redis-pub', { min: 2, max: 10 }),
    verticalScaling: MEMORY_VPA,
    routeMetrics: [{ method: 'POST', path: API_PATH }],
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
        path: API_PATH,
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
    paths: [{ path: API_PATH, to: redisPub }],
  });

  // The traffic generator goes through the ingress controllers, as the seed's clients do.
  const contourUrl = `http://${settings.host('contour')}`;
  const traffic = new LoadGenerator(app, 'traffic', {
    target: contourUrl,
    image: settings.image('traffic', IMAGES.locust),
    locustfile: readFileSync(join(LOCUST_DIR, 'traffic.py'), 'utf8'),
    locustfileName: 'traffic.py',
    files: { 'traffic.json': readFileSync(join(LOCUST_DIR, 'traffic.json'), 'utf8') },
    env: { CONTOUR_URL: contourUrl, NGINX_URL: `http://${settings.host('nginx')}`, RECORDS_PATH },
    users: TRAFFIC.users,
    spawnRate: TRAFFIC.spawnRate,
    workers: settings.replicas('traffic-worker', { min: 2, max: 6 }),
  });
  traffic.workers
    .allowEgress({ to: 'internet', ports: [80] })
    .allowEgress({ to: { namespace: ADDON_NAMESPACES.contour }, ports: [INGRESS_POD_PORTS.contour] })
    .allowEgress({ to: { namespace: ADDON_NAMESPACES['ingress-nginx'] }, ports: [INGRESS_POD_PORTS.nginx] });
  return app;
}
