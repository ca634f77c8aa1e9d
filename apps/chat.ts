/**
 * `chat`: one-to-one text messaging (reference app 2, seed 001). A static front end and a REST back end, three
 * replicas each, the back end autoscaling with message traffic, messages stored in PostgreSQL; both served on
 * one host through the Gateway API.
 */
import type { Construct } from 'constructs';
import { Database, PlatformChart, Route, Service } from '../platform';
import { IMAGES } from './images';
import { AppSettings } from './settings';

/** Builds the chat app. */
export function chat(scope: Construct): PlatformChart {
  const app = new PlatformChart(scope, 'chat');
  const settings = new AppSettings(app);
  const db = new Database(app, 'postgres', {
    engine: 'postgres',
    image: settings.image('postgres'),
    storage: '10Gi',
    storageClass: settings.storageClass,
  });
  const backend = new Service(app, 'backend', {
    image: settings.image('backend', IMAGES.microservice),
    port: 9898,
    metrics: { port: 9797 },
    args: ['--port=9898', '--port-metrics=9797'],
    liveness: { http: '/healthz' },
    readiness: { http: '/readyz' },
    replicas: settings.replicas('backend', { min: 3, max: 10, cpuUtilization: 60 }),
  });
  backend.connectTo(db, { envPrefix: 'DATABASE' });
  const frontend = new Service(app, 'frontend', {
    image: settings.image('frontend', IMAGES.staticWeb),
    port: 8080,
    replicas: settings.replicas('frontend', { min: 3, max: 6 }),
  });
  frontend.connectTo(backend);
  new Route(app, 'web', {
    host: settings.host('chat'),
    via: 'gateway',
    paths: [
      { path: '/', to: frontend },
      { path: '/api', to: backend },
    ],
  });
  return app;
}
