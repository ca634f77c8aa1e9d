/**
 * Bench case: a generated app of N services written with the platform, synthesized like `npm run synth`.
 *
 * Each service has a metrics port (ServiceMonitor), autoscaling replicas (HPA and PDB), its NetworkPolicy, a
 * Route on its own host (an HTTPProxy by default), and an edge to a PostgreSQL Database shared by every
 * `SERVICES_PER_DATABASE` services (as in the reference apps, where a few services share one database).
 *
 * Usage: `ts-node --swc scripts/bench/case-platform-app.ts <services> <outdir> [nginx|contour|gateway]` (the
 * Routes' `via`, default `contour`: the platform Gateway has listeners for 31 HTTPS hosts, not one per service).
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { synthesizeApps } from '../../apps/main';
import { Database, PlatformChart, ROUTE_VIAS, Route, Service } from '../../platform';
import type { RouteVia } from '../../platform';
import { report, sinceStart } from './case-output';

const loaded = sinceStart();

/** Services that share one Database. */
export const SERVICES_PER_DATABASE = 10;
/** Each generated service's minimum replicas (its HPA's `minReplicas`: the pods a deploy starts). */
export const MIN_REPLICAS_PER_SERVICE = 2;

/** Builds the app of `services` services (named `name`, its hosts under `<name>.example.com`). */
export function benchApp(scope: Construct, services: number, via: RouteVia = 'contour', name = 'bench'): PlatformChart {
  const app = new PlatformChart(scope, name);
  let db: Database | undefined;
  for (let i = 0; i < services; i++) {
    if (i % SERVICES_PER_DATABASE === 0) {
      db = new Database(app, `db-${i / SERVICES_PER_DATABASE}`, { engine: 'postgres', storage: '1Gi' });
    }
    const service = new Service(app, `svc-${i}`, {
      image: 'ghcr.io/stefanprodan/podinfo:6.7.1',
      port: 9898,
      metrics: { port: 9797 },
      replicas: { min: MIN_REPLICAS_PER_SERVICE, max: 5 },
    });
    service.connectTo(db as Database, { envPrefix: 'DATABASE' });
    new Route(app, `route-${i}`, {
      host: `svc-${i}.${name}.example.com`,
      via,
      paths: [{ path: '/', to: service }],
    });
  }
  return app;
}

if (require.main === module) {
  const [services, outdir, via = 'contour'] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
  // BENCH_APPS=N: N such apps (`gen-0` ... `gen-<N-1>`), each in its own namespace (the engine bench's app stacks);
  // else one app, named BENCH_APP_NAME (default `bench`).
  const apps = Number(process.env.BENCH_APPS ?? '0');
  if (!Number.isInteger(services) || services < 1 || !outdir || !(ROUTE_VIAS as readonly string[]).includes(via))
    throw new Error(`usage: <services> <outdir> [${ROUTE_VIAS.join('|')}]`);
  let built = 0;
  const charts: PlatformChart[] = [];
  const names = apps > 0 ? Array.from({ length: apps }, (_, i) => `gen-${i}`) : [process.env.BENCH_APP_NAME ?? 'bench'];
  synthesizeApps(
    outdir,
    Object.fromEntries(
      names.map((name) => [
        name,
        (scope: Construct) => {
          const chart = benchApp(scope, services, via as RouteVia, name);
          charts.push(chart);
          built = sinceStart();
          return chart;
        },
      ]),
    ),
  );
  const synthesized = sinceStart();
  const objects = charts.flatMap((c) => c.node.findAll()).filter((c) => c instanceof ApiObject).length;
  report({ phases: { load: loaded, build: built, synth: synthesized }, objects });
}
