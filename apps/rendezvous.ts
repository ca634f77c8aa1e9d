/**
 * `rendezvous`: chat and video rooms (reference app 1, seed 000). Registered users open chat or video rooms and
 * invite others; only users and active rooms are stored, never the conversations. Everything is served on one host
 * through ingress-nginx, the room connections as long-lived WebSockets.
 *
 * Seed component → construct:
 * - Rendezvous UI (welcome, register, login and rooms pages) → `Service` `ui` (static site), routed at `/`;
 * - Users MS (registration, login) → `Service` `users` (REST), routed at `/api/users`, reads `db`;
 * - RoomRouter MS (create, list, close rooms) → `Service` `room-router` (REST), routed at `/api`, reads `db`,
 *   checks users against `users` and opens and closes rooms on `room-server`;
 * - RoomServer MS (one replica set serves the rooms) → `Service` `room-server`, HPA on CPU, slow to scale down
 *   since every pod removed drops its connected users;
 * - RoomClient MS (connects a user to a room) → `Service` `room-client`, routed at `/ws` as a WebSocket path
 *   (hour-long proxy timeouts), relays to `room-server`;
 * - Database (users, active rooms) → `Database` `db`: PostgreSQL StatefulSet with a persistent volume;
 * - autoscaling on every stateless service → `replicas: { min, max }` on each `Service`;
 * - load test with fake clients → `LoadGenerator` `load-test` (Locust, `apps/locust/rendezvous/locustfile.py`):
 *   fake users register and log in on `users`, list and open rooms on `room-router` and talk through
 *   `room-client`, from inside the cluster; started from its web UI;
 * - Prometheus and Grafana → a monitor for every podinfo service and the database exporter, the app's
 *   golden-signal alerts and its dashboard (a row per workload).
 *
 * The UI is a static site: browsers call the APIs through the ingress, so it has no dependency of its own. The
 * podinfo stand-ins forward `POST /api/echo` along the edges (room-router to users and room-server, room-client to
 * room-server), so the load test reaches every service's autoscaler.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Construct } from 'constructs';
import { Database, LoadGenerator, PlatformChart, Route, Service } from '../platform';
import { AppSettings } from './settings';
import { database, microservice, staticSite } from './stand-ins';

/** Fake clients of the load test at full load, and how many it starts per second. */
export const LOAD_TEST = { users: 300, spawnRate: 10 } as const;
/** Where the load test's locustfile lives. */
const LOCUSTFILE = join(__dirname, 'locust', 'rendezvous', 'locustfile.py');

/** Builds the rendezvous app. */
export function rendezvous(scope: Construct): PlatformChart {
  const app = new PlatformChart(scope, 'rendezvous');
  const settings = new AppSettings(app);
  const db = new Database(app, 'db', database(settings, 'db', { engine: 'postgres', storage: '10Gi' }));
  const users = new Service(app, 'users', microservice(settings, 'users', { min: 2, max: 6 }));
  users.connectTo(db, { envPrefix: 'DATABASE' });
  const roomServer = new Service(
    app,
    'room-server',
    // Each pod holds the WebSockets of its rooms' users: wait ten minutes of low load before removing one.
    microservice(settings, 'room-server', { min: 2, max: 10, cpuUtilization: 60, scaleDownStabilizationSeconds: 600 }),
  );
  const roomRouter = new Service(
    app,
    'room-router',
    microservice(settings, 'room-router', { min: 2, max: 6 }, ['USERS', 'ROOM_SERVER']),
  );
  roomRouter.connectTo(db, { envPrefix: 'DATABASE' }).connectTo(users).connectTo(roomServer);
  const roomClient = new Service(
    app,
    'room-client',
    microservice(settings, 'room-client', { min: 2, max: 10 }, ['ROOM_SERVER']),
  );
  roomClient.connectTo(roomServer);
  const ui = new Service(app, 'ui', staticSite(settings, 'ui', { min: 2, max: 4 }));

  new Route(app, 'web', {
    host: settings.host('rendezvous'),
    via: 'nginx',
    paths: [
      { path: '/', to: ui },
      { path: '/api', to: roomRouter },
      { path: '/api/users', to: users },
      { path: '/ws', to: roomClient, websockets: true },
    ],
  });

  // Started from the Locust web UI (port-forward to load-test-master:8089), not at every deploy.
  const loadTest = new LoadGenerator(app, 'load-test', {
    target: roomRouter,
    image: settings.image('load-test'),
    locustfile: readFileSync(LOCUSTFILE, 'utf8'),
    users: LOAD_TEST.users,
    spawnRate: LOAD_TEST.spawnRate,
    workers: settings.replicas('load-test-worker', 2),
  });
  loadTest.workers.connectTo(users).connectTo(roomClient);
  return app;
}
