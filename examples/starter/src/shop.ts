/** The `shop` app: an API and the PostgreSQL database it stores in. */
import type { Construct } from 'constructs';
import { Database, PlatformChart, Service } from 'k8s-platform';

/** Builds the shop app. */
export function shop(scope: Construct): PlatformChart {
  const app = new PlatformChart(scope, 'shop');
  const db = new Database(app, 'postgres', { engine: 'postgres', storage: '5Gi' });
  const api = new Service(app, 'api', {
    image: 'ghcr.io/stefanprodan/podinfo:6.7.1',
    port: 9898,
    replicas: { min: 2, max: 4 },
  });
  api.connectTo(db, { envPrefix: 'DATABASE' }); // DATABASE_HOST, _PORT, ..., and the NetworkPolicy edge
  return app;
}
