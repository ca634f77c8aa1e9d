import { Service, Worker } from '../../platform';
import { find, newChart, synth } from '../helpers';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';

describe('monitors', () => {
  test('a Service with metrics gets a ServiceMonitor on its metrics port and path', () => {
    const chart = newChart();
    new Service(chart, 'api', { image: IMAGE, port: 9898, metrics: { port: 9797, path: '/stats' } });
    const monitor = find(synth(chart), 'ServiceMonitor', 'api');
    expect(monitor.spec).toEqual({
      endpoints: [{ port: 'http-metrics', path: '/stats', interval: '30s' }],
      selector: { matchLabels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/part-of': 'shop' } },
    });
    expect(chart.indexEntry('x', 'y').addons).toContain('prometheus');
  });

  test('a Worker with metrics gets a PodMonitor, since no Service fronts it', () => {
    const chart = newChart();
    new Worker(chart, 'consumer', { image: IMAGE, liveness: { http: '/healthz' }, metrics: { port: 9797 } });
    expect(find(synth(chart), 'PodMonitor', 'consumer').spec.podMetricsEndpoints).toEqual([
      { port: 'http-metrics', path: '/metrics', interval: '30s' },
    ]);
  });

  test('a workload without metrics gets no monitor and, without alerts or dashboard, needs no Prometheus', () => {
    const chart = newChart({ alerts: false, dashboard: false });
    new Service(chart, 'web', { image: IMAGE, port: 8080 });
    expect(synth(chart).filter((o) => o.kind.endsWith('Monitor'))).toEqual([]);
    expect(chart.indexEntry('x', 'y').addons).toEqual([]);
  });
});
