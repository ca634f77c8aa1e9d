/** The app the alert and dashboard tests observe. */
import type { PlatformChart, PlatformChartProps } from '../../platform';
import { Database, Service, Worker } from '../../platform';
import { newChart } from '../helpers';

/** The podinfo stand-in image. */
export const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';

/** An app with a service with metrics, a service without, a worker and a Postgres database. */
export function observedApp(props: PlatformChartProps = {}): PlatformChart {
  const chart = newChart(props);
  new Service(chart, 'api', { image: IMAGE, port: 9898, metrics: { port: 9797 } });
  new Service(chart, 'web', { image: IMAGE, port: 8080 });
  new Worker(chart, 'consumer', { image: IMAGE, liveness: { http: '/healthz' }, metrics: { port: 9797 } });
  new Database(chart, 'db', { engine: 'postgres' });
  return chart;
}
