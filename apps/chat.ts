/**
 * `chat`: one-to-one text messaging (reference app 2, seed 001). A static front end and a REST back end, three
 * replicas each, the back end autoscaling with message traffic, messages stored in PostgreSQL.
 */
import type { Construct } from 'constructs';
import { Database, PlatformChart, Service } from '../platform';
import { IMAGES } from './images';

/** Builds the chat app. */
export function chat(scope: Construct): PlatformChart {
  const app = new PlatformChart(scope, 'chat');
  const db = new Database(app, 'postgres', { engine: 'postgres', storage: '10Gi' });
  const backend = new Service(app, 'backend', {
    image: IMAGES.microservice,
    port: 9898,
    metrics: { port: 9797 },
    args: ['--port=9898', '--port-metrics=9797'],
    liveness: { http: '/healthz' },
    readiness: { http: '/readyz' },
    replicas: { min: 3, max: 10, cpuUtilization: 60 },
  });
  backend.connectTo(db, { envPrefix: 'DATABASE' });
  const frontend = new Service(app, 'frontend', {
    image: IMAGES.staticWeb,
    port: 8080,
    replicas: { min: 3, max: 6 },
  });
  frontend.connectTo(backend);
  return app;
}
