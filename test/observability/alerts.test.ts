import type { PlatformChart } from '../../platform';
import { ALERT_NAMES, DEFAULT_ALERT_THRESHOLDS, Database, Service } from '../../platform';
import type { DatabaseEngine } from '../../platform';
import type { Obj } from '../helpers';
import { find, findings, newChart, synth } from '../helpers';
import { IMAGE, observedApp } from './fixtures';
import { promqlErrors } from './promql';
import { ENGINE_METRICS } from '../../platform/observability/database-metrics';

const app = observedApp;

const rule = (chart: PlatformChart): Obj => find(synth(chart), 'PrometheusRule', 'shop-alerts');
const group = (r: Obj, workload: string): Obj => {
  const found = r.spec.groups.find((g: Obj) => g.name === `shop.${workload}`);
  if (!found) throw new Error(`no rule group for ${workload}`);
  return found;
};
const alert = (r: Obj, workload: string, name: string): Obj => {
  const found = group(r, workload).rules.find((x: Obj) => x.alert === name);
  if (!found) throw new Error(`no ${name} alert for ${workload}`);
  return found;
};
const alertNames = (r: Obj, workload: string): string[] => group(r, workload).rules.map((x: Obj) => x.alert);

describe('alerts', () => {
  test('an app gets one PrometheusRule with a rule group per workload, in creation order', () => {
    const r = rule(app());
    expect(r.metadata.namespace).toBe('shop');
    expect(r.spec.groups.map((g: Obj) => g.name)).toEqual(['shop.api', 'shop.web', 'shop.consumer', 'shop.db']);
  });

  test('a service with metrics gets error-rate and latency alerts; every workload saturation and restarts', () => {
    const r = rule(app());
    const containers = [ALERT_NAMES.cpu, ALERT_NAMES.memory, ALERT_NAMES.restarts];
    expect(alertNames(r, 'api')).toEqual([ALERT_NAMES.errorRate, ALERT_NAMES.latency, ...containers]);
    // No request metrics: not meshed and no metrics port; a worker serves no requests.
    expect(alertNames(r, 'web')).toEqual(containers);
    expect(alertNames(r, 'consumer')).toEqual(containers);
    expect(alertNames(r, 'db')).toEqual([...containers, ALERT_NAMES.databaseDown, ALERT_NAMES.backupOverdue]);
  });

  test('default thresholds: 5% errors, p99 above 500 ms, 90% of the limits, more than 3 restarts an hour', () => {
    const r = rule(app());
    expect(alert(r, 'api', ALERT_NAMES.errorRate).expr).toMatch(/ > 0\.05$/);
    expect(alert(r, 'api', ALERT_NAMES.latency).expr).toMatch(/ > 0\.5$/);
    expect(alert(r, 'api', ALERT_NAMES.cpu).expr).toMatch(/ > 0\.9$/);
    expect(alert(r, 'api', ALERT_NAMES.memory).expr).toMatch(/ > 0\.9$/);
    expect(alert(r, 'api', ALERT_NAMES.restarts).expr).toMatch(/\[1h\]\)\) > 3$/);
    expect(alert(r, 'api', ALERT_NAMES.errorRate).for).toBe(DEFAULT_ALERT_THRESHOLDS.for);
    expect(alert(r, 'api', ALERT_NAMES.cpu).for).toBe(DEFAULT_ALERT_THRESHOLDS.saturationFor);
    expect(alert(r, 'api', ALERT_NAMES.restarts).for).toBeUndefined();
  });

  test('thresholds and durations flow into the rules', () => {
    const r = rule(
      app({
        alerts: {
          errorRatePercent: 2.5,
          latencyP99Ms: 250,
          cpuPercent: 80,
          memoryPercent: 75,
          restartsPerHour: 0,
          for: '10m',
          saturationFor: '1h',
        },
      }),
    );
    expect(alert(r, 'api', ALERT_NAMES.errorRate)).toMatchObject({
      expr: expect.stringMatching(/ > 0\.025$/),
      for: '10m',
    });
    expect(alert(r, 'api', ALERT_NAMES.errorRate).annotations.description).toContain('More than 2.5% of the requests');
    expect(alert(r, 'api', ALERT_NAMES.latency).expr).toMatch(/ > 0\.25$/);
    expect(alert(r, 'api', ALERT_NAMES.cpu)).toMatchObject({ expr: expect.stringMatching(/ > 0\.8$/), for: '1h' });
    expect(alert(r, 'api', ALERT_NAMES.memory)).toMatchObject({ expr: expect.stringMatching(/ > 0\.75$/), for: '1h' });
    expect(alert(r, 'api', ALERT_NAMES.restarts).expr).toMatch(/ > 0$/);
    expect(alert(r, 'db', ALERT_NAMES.databaseDown).for).toBe('10m');
  });

  test('alerts carry severity, app and workload labels and templated annotations', () => {
    const a = alert(rule(app()), 'api', ALERT_NAMES.errorRate);
    expect(a.labels).toEqual({ severity: 'critical', app: 'shop', workload: 'api' });
    expect(a.annotations.summary).toBe(
      '{{ $labels.namespace }}/api fails {{ $value | humanizePercentage }} of its requests',
    );
    expect(alert(rule(app()), 'api', ALERT_NAMES.cpu).labels.severity).toBe('warning');
  });

  test("a service that is not meshed is measured by its own HTTP metrics, selected by its pods' names", () => {
    const r = rule(app());
    const pods = 'namespace="shop", pod=~"api-[a-z0-9]+-[a-z0-9]+"';
    expect(alert(r, 'api', ALERT_NAMES.errorRate).expr).toBe(
      `sum by (namespace) (rate(http_requests_total{${pods}, status=~"5.."}[5m])) / ` +
        `sum by (namespace) (rate(http_requests_total{${pods}}[5m])) > 0.05`,
    );
    expect(alert(r, 'api', ALERT_NAMES.latency).expr).toBe(
      `histogram_quantile(0.99, sum by (namespace, le) (rate(http_request_duration_seconds_bucket{${pods}}[5m]))) > 0.5`,
    );
  });

  test('the names of the app’s own HTTP metrics can be overridden', () => {
    const r = rule(
      app({
        httpMetrics: {
          requestsTotal: 'requests_total',
          durationSeconds: 'request_seconds',
          statusLabel: 'code',
          errorStatus: '5..|429',
        },
      }),
    );
    expect(alert(r, 'api', ALERT_NAMES.errorRate).expr).toContain('requests_total{namespace="shop", pod=~');
    expect(alert(r, 'api', ALERT_NAMES.errorRate).expr).toContain('code=~"5..|429"');
    expect(alert(r, 'api', ALERT_NAMES.latency).expr).toContain('rate(request_seconds_bucket{');
  });

  test("a meshed service is measured by Linkerd's inbound proxy metrics, in milliseconds, and needs linkerd-viz", () => {
    const chart = app({ mesh: 'linkerd' });
    const r = rule(chart);
    const scope = 'namespace="shop", deployment="api", direction="inbound"';
    expect(alert(r, 'api', ALERT_NAMES.errorRate).expr).toBe(
      `sum by (namespace) (rate(response_total{${scope}, classification="failure"}[5m])) / ` +
        `sum by (namespace) (rate(response_total{${scope}}[5m])) > 0.05`,
    );
    expect(alert(r, 'api', ALERT_NAMES.latency).expr).toBe(
      `histogram_quantile(0.99, sum by (namespace, le) (rate(response_latency_ms_bucket{${scope}}[5m]))) > 500`,
    );
    // Meshed, so measured even without a metrics port.
    expect(alertNames(r, 'web')).toContain(ALERT_NAMES.errorRate);
    expect(chart.indexEntry('x', 'y').addons).toEqual(expect.arrayContaining(['linkerd-viz', 'prometheus']));
  });

  test('a service that opts out of the mesh falls back to its own metrics', () => {
    const chart = newChart({ mesh: 'linkerd' });
    new Service(chart, 'api', { image: IMAGE, port: 9898, metrics: { port: 9797 }, mesh: false });
    expect(alert(rule(chart), 'api', ALERT_NAMES.errorRate).expr).toContain('http_requests_total{');
  });

  test('saturation compares each container with its limit; restarts count over an hour', () => {
    const r = rule(app());
    const scope = 'namespace="shop", pod=~"db-[0-9]+"';
    expect(alert(r, 'db', ALERT_NAMES.cpu).expr).toBe(
      `max by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{${scope}, container!=""}[5m])) / ` +
        `max by (namespace, pod, container) (kube_pod_container_resource_limits{${scope}, resource="cpu"}) > 0.9`,
    );
    expect(alert(r, 'db', ALERT_NAMES.memory).expr).toBe(
      `max by (namespace, pod, container) (container_memory_working_set_bytes{${scope}, container!=""}) / ` +
        `max by (namespace, pod, container) (kube_pod_container_resource_limits{${scope}, resource="memory"}) > 0.9`,
    );
    expect(alert(r, 'db', ALERT_NAMES.restarts).expr).toBe(
      `max by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{${scope}}[1h])) > 3`,
    );
  });

  test.each(Object.keys(ENGINE_METRICS) as DatabaseEngine[])(
    'a %s database is down when its exporter says so',
    (engine) => {
      const chart = newChart();
      new Database(chart, 'store', { engine });
      expect(alert(rule(chart), 'store', ALERT_NAMES.databaseDown).expr).toBe(
        `min by (namespace, pod) (${ENGINE_METRICS[engine].up}{namespace="shop", pod=~"store-[0-9]+"}) == 0`,
      );
    },
  );

  test('a database without its exporter gets no database-down alert', () => {
    const chart = newChart();
    new Database(chart, 'db', { engine: 'redis', metrics: false });
    expect(alertNames(rule(chart), 'db')).not.toContain(ALERT_NAMES.databaseDown);
  });

  test('every expression is valid PromQL', () => {
    const chart = app({ mesh: 'linkerd' });
    for (const engine of Object.keys(ENGINE_METRICS) as DatabaseEngine[]) new Database(chart, engine, { engine });
    const exprs = [rule(app()), rule(chart)].flatMap((r) =>
      r.spec.groups.flatMap((g: Obj) => g.rules.map((x: Obj) => x.expr as string)),
    );
    expect(exprs.length).toBeGreaterThan(30);
    expect(exprs.map((e) => ({ e, errors: promqlErrors(e) })).filter((x) => x.errors.length)).toEqual([]);
  });

  test('the PrometheusRule validates against its CRD schema', () => {
    const objects = synth(app({ mesh: 'linkerd' }));
    expect(findings(objects).filter((f) => f.object.startsWith('PrometheusRule/'))).toEqual([]);
  });

  test('alerts: false leaves the rule out', () => {
    const objects = synth(app({ alerts: false }));
    expect(objects.filter((o) => o.kind === 'PrometheusRule')).toEqual([]);
  });

  test('an app without workloads gets no rule and needs no Prometheus', () => {
    const chart = newChart();
    expect(synth(chart).filter((o) => o.kind === 'PrometheusRule')).toEqual([]);
    expect(chart.indexEntry('x', 'y').addons).toEqual([]);
  });

  test('any workload makes the app need Prometheus, for its rule', () => {
    const chart = newChart();
    new Service(chart, 'web', { image: IMAGE, port: 8080 });
    expect(chart.indexEntry('x', 'y').addons).toEqual(['prometheus']);
  });

  describe('validation', () => {
    test.each(['errorRatePercent', 'cpuPercent', 'memoryPercent'] as const)('%s must be a percentage', (key) => {
      expect(() => newChart({ alerts: { [key]: 0 } })).toThrow(
        `shop: alerts.${key} 0 is not a percentage; use a number above 0 and at most 100`,
      );
      expect(() => newChart({ alerts: { [key]: 101 } })).toThrow(`alerts.${key} 101 is not a percentage`);
    });

    test('latencyP99Ms must be positive', () => {
      expect(() => newChart({ alerts: { latencyP99Ms: -1 } })).toThrow(
        'shop: alerts.latencyP99Ms -1 is not a latency; use a positive number of milliseconds',
      );
    });

    test('restartsPerHour must be a whole number', () => {
      expect(() => newChart({ alerts: { restartsPerHour: 1.5 } })).toThrow(
        'shop: alerts.restartsPerHour 1.5 is not allowed; use an integer at least 0',
      );
    });

    test.each(['for', 'saturationFor'] as const)('%s must be a Prometheus duration', (key) => {
      expect(() => newChart({ alerts: { [key]: '5 minutes' } })).toThrow(
        `shop: alerts.${key} "5 minutes" is not a Prometheus duration; write it like "5m", "1h30m" or "90s"`,
      );
      expect(() => newChart({ alerts: { [key]: '' } })).toThrow(`alerts.${key} "" is not a Prometheus duration`);
    });
  });
});
