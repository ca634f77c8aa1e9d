/**
 * `chat`: one-to-one text messaging (reference app 2, seed 001), deployed to GKE in the seed.
 *
 * Seed component → construct:
 * - React front end (register, log in, chat) → `Service` `frontend` (static site), three replicas, routed at `/`;
 * - Flask REST API → `Service` `backend`, three to ten replicas, autoscaled on CPU **and** on its request rate
 *   (`http_requests_per_second` from prometheus-adapter: it scales with message traffic), routed at `/api`;
 * - PostgreSQL storing the messages → `Database` `postgres` (StatefulSet, retained volume);
 * - the script "sending many messages in a short time" → `LoadGenerator` `load-test` (Locust,
 *   `apps/locust/chat/locustfile.py`) against the backend, started from its web UI while pods are killed;
 * - monitoring while it runs → a monitor for the backend and the database exporter, alerts and a dashboard.
 *
 * Both paths are served on `chat.<domain>` through the Gateway API.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Construct } from 'constructs';
import { Database, LoadGenerator, PlatformChart, Route, Service } from '../platform';
import { AppSettings } from './settings';
import { database, microservice, staticSite } from './stand-ins';

/** The request rate per backend pod above which the backend scales out (podinfo's `http_requests_total`). */
export const BACKEND_REQUESTS_PER_POD = '50';
/** Where the load test's locustfile lives. */
const LOCUSTFILE = join(__dirname, 'locust', 'chat', 'locustfile.py');

/** Builds the chat app. */
export function chat(scope: Construct): PlatformChart {
  const app = new PlatformChart(scope, 'chat');
  const settings = new AppSettings(app);
  const db = new Database(app, 'postgres', database(settings, 'postgres', { engine: 'postgres', storage: '10Gi' }));
  const backend = new Service(
    app,
    'backend',
    microservice(settings, 'backend', {
      min: 3,
      max: 10,
      cpuUtilization: 60,
      podsMetrics: [{ name: 'http_requests_per_second', averageValue: BACKEND_REQUESTS_PER_POD }],
    }),
  );
  backend.connectTo(db, { envPrefix: 'DATABASE' });
  // A static site: browsers call the API through the route, so the front end has no edge of its own.
  const frontend = new Service(app, 'frontend', staticSite(settings, 'frontend', { min: 3, max: 6 }));
  new Route(app, 'web', {
    host: settings.host('chat'),
    via: 'gateway',
    paths: [
      { path: '/', to: frontend },
      { path: '/api', to: backend },
    ],
  });
  new LoadGenerator(app, 'load-test', {
    target: backend,
    image: settings.image('load-test'),
    locustfile: readFileSync(LOCUSTFILE, 'utf8'),
    users: 500,
    spawnRate: 50,
    workers: settings.replicas('load-test-worker', 2),
  });
  return app;
}
