import { OBSERVED_WORKLOADS_PER_OBJECT, Service } from '../../platform';
import { newChart, synth } from '../helpers';

/** Kubernetes stores at most about 1 MiB per object (etcd's request limit is 1.5 MiB). */
const MAX_OBJECT_BYTES = 1024 * 1024;

describe('an app with more workloads than fit one dashboard', () => {
  const chart = newChart();
  const count = 2 * OBSERVED_WORKLOADS_PER_OBJECT + 5;
  for (let i = 0; i < count; i++) {
    new Service(chart, `svc-${i}`, {
      image: 'ghcr.io/stefanprodan/podinfo:6.7.1',
      port: 9898,
      metrics: { port: 9797 },
    });
  }
  const objects = synth(chart);
  const dashboards = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1');
  const rules = objects.filter((o) => o.kind === 'PrometheusRule');

  test('splits the dashboards and rules into parts named after the app', () => {
    expect(dashboards.map((d) => d.metadata.name)).toEqual(['shop-dashboard', 'shop-dashboard-2', 'shop-dashboard-3']);
    expect(rules.map((r) => r.metadata.name)).toEqual(['shop-alerts', 'shop-alerts-2', 'shop-alerts-3']);
  });

  test('keeps every workload on exactly one dashboard and in one rule, in creation order', () => {
    const rows = dashboards.flatMap((d) =>
      JSON.parse(Object.values(d.data as Record<string, string>)[0])
        .panels.filter((p: { type: string }) => p.type === 'row')
        .map((p: { title: string }) => p.title.split(' ')[0]),
    );
    const groups = rules.flatMap((r) => r.spec.groups.map((g: { name: string }) => g.name));
    const names = Array.from({ length: count }, (_, i) => `svc-${i}`);
    expect(rows).toEqual(names);
    expect(groups).toHaveLength(count);
    expect(groups.every((g: string, i: number) => g.includes(names[i]))).toBe(true);
  });

  test('gives each dashboard its own uid and title, and keeps each object well under the size limit', () => {
    const models = dashboards.map((d) => JSON.parse(Object.values(d.data as Record<string, string>)[0]));
    expect(new Set(models.map((m) => m.uid)).size).toBe(3);
    expect(models.map((m) => m.title)).toEqual([
      'shop golden signals',
      'shop golden signals (part 2)',
      'shop golden signals (part 3)',
    ]);
    for (const o of [...dashboards, ...rules]) {
      expect(Buffer.byteLength(JSON.stringify(o))).toBeLessThan(MAX_OBJECT_BYTES / 2);
    }
  });
});
