import type { PlatformChart } from '../../platform';
import { Database, GRAFANA_DASHBOARD_LABEL, Service, Worker } from '../../platform';
import type { DatabaseEngine, ServiceProps } from '../../platform';
import type { Obj } from '../helpers';
import { find, findings, newChart, synth } from '../helpers';
import { IMAGE, observedApp } from './fixtures';
import { promqlErrors } from './promql';
import { ENGINE_METRICS } from '../../platform/observability/database-metrics';
import { GRID_COLUMNS } from '../../platform/observability/grafana';
import { dashboardUid } from '../../platform/observability/dashboards';

const app = observedApp;

const configMap = (chart: PlatformChart): Obj => find(synth(chart), 'ConfigMap', 'shop-dashboard');
const dashboard = (chart: PlatformChart): Obj => JSON.parse(configMap(chart).data['shop.json']);

/** The panels of the row titled `<workload> (...)`: those after its header, up to the next row. */
function rowPanels(d: Obj, workload: string): Obj[] {
  const start = d.panels.findIndex((p: Obj) => p.type === 'row' && p.title.startsWith(`${workload} (`));
  if (start < 0) throw new Error(`no row for ${workload}`);
  const next = d.panels.findIndex((p: Obj, i: number) => i > start && p.type === 'row');
  return d.panels.slice(start + 1, next < 0 ? undefined : next);
}
const panel = (d: Obj, workload: string, title: string): Obj => {
  const found = rowPanels(d, workload).find((p) => p.title === title);
  if (!found) throw new Error(`no panel ${title} for ${workload}`);
  return found;
};
const exprs = (p: Obj): string[] => p.targets.map((t: Obj) => t.expr);

describe('dashboards', () => {
  test('a ConfigMap labelled for the Grafana sidecar, filed in a folder named after the app', () => {
    const cm = configMap(app());
    expect(cm.metadata.labels[GRAFANA_DASHBOARD_LABEL]).toBe('1');
    expect(cm.metadata.annotations).toEqual({ grafana_folder: 'shop' });
    expect(cm.metadata.namespace).toBe('shop');
    expect(Object.keys(cm.data)).toEqual(['shop.json']);
  });

  test('the JSON is a Grafana dashboard with a Prometheus data source variable that every query uses', () => {
    const d = dashboard(app());
    expect(d).toMatchObject({ uid: 'app-shop', title: 'shop golden signals', schemaVersion: 39 });
    expect(d.templating.list).toEqual([
      expect.objectContaining({ type: 'datasource', name: 'datasource', query: 'prometheus' }),
    ]);
    const queryPanels = d.panels.filter((p: Obj) => p.type !== 'row');
    expect(queryPanels.length).toBeGreaterThan(0);
    for (const p of queryPanels) {
      expect(['timeseries', 'stat']).toContain(p.type);
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const t of p.targets) expect(t.datasource).toEqual(p.datasource);
    }
  });

  test('one row per workload, in creation order, each with saturation and restarts', () => {
    const d = dashboard(app());
    expect(d.panels.filter((p: Obj) => p.type === 'row').map((p: Obj) => p.title)).toEqual([
      'api (deployment)',
      'web (deployment)',
      'consumer (deployment)',
      'db (statefulset)',
    ]);
    for (const w of ['api', 'web', 'consumer', 'db']) {
      expect(rowPanels(d, w).map((p) => p.title)).toEqual(
        expect.arrayContaining(['CPU (share of limit)', 'Memory (share of limit)', 'Restarts (last hour)']),
      );
    }
  });

  test('a service with metrics shows request rate, success rate and p50/p95/p99 latency from its own metrics', () => {
    const d = dashboard(app());
    const pods = 'namespace="shop", pod=~"api-[a-z0-9]+-[a-z0-9]+"';
    expect(
      rowPanels(d, 'api')
        .map((p) => p.title)
        .slice(0, 3),
    ).toEqual(['Request rate', 'Success rate', 'Latency']);
    expect(panel(d, 'api', 'Request rate')).toMatchObject({ fieldConfig: { defaults: { unit: 'reqps' } } });
    expect(exprs(panel(d, 'api', 'Request rate'))).toEqual([
      `sum by (namespace) (rate(http_requests_total{${pods}}[5m]))`,
    ]);
    expect(panel(d, 'api', 'Success rate').fieldConfig.defaults).toMatchObject({ unit: 'percentunit', min: 0, max: 1 });
    expect(exprs(panel(d, 'api', 'Success rate'))).toEqual([
      `sum by (namespace) (rate(http_requests_total{${pods}, status!~"5.."}[5m])) / ` +
        `sum by (namespace) (rate(http_requests_total{${pods}}[5m]))`,
    ]);
    const latency = panel(d, 'api', 'Latency');
    expect(latency.fieldConfig.defaults.unit).toBe('s');
    expect(latency.targets.map((t: Obj) => t.legendFormat)).toEqual(['p50', 'p95', 'p99']);
    expect(exprs(latency)[2]).toBe(
      `histogram_quantile(0.99, sum by (namespace, le) (rate(http_request_duration_seconds_bucket{${pods}}[5m])))`,
    );
  });

  test("a meshed service's request panels read Linkerd's inbound proxy metrics, latency in milliseconds", () => {
    const d = dashboard(app({ mesh: 'linkerd' }));
    const scope = 'namespace="shop", deployment="web", direction="inbound"';
    expect(exprs(panel(d, 'web', 'Request rate'))).toEqual([`sum by (namespace) (rate(request_total{${scope}}[5m]))`]);
    expect(exprs(panel(d, 'web', 'Success rate'))[0]).toContain(`response_total{${scope}, classification="success"}`);
    expect(panel(d, 'web', 'Latency').fieldConfig.defaults.unit).toBe('ms');
    expect(exprs(panel(d, 'web', 'Latency'))[0]).toContain(`response_latency_ms_bucket{${scope}}`);
  });

  test('custom metrics of a service or worker get a panel each, counters as a per-second rate', () => {
    const chart = newChart();
    new Service(chart, 'users', {
      image: IMAGE,
      port: 9898,
      metrics: {
        port: 9797,
        custom: [
          { title: 'User creation rate', metric: 'http_request_duration_seconds_count', labels: { method: 'POST' } },
          { title: 'Active sessions', metric: 'sessions_active' },
        ],
      },
    });
    new Worker(chart, 'mailer', {
      image: IMAGE,
      liveness: { http: '/healthz' },
      metrics: { port: 9797, custom: [{ title: 'Queue depth', metric: 'mail_queue_total', rate: false }] },
    });
    const d = dashboard(chart);
    const users = 'namespace="shop", pod=~"users-[a-z0-9]+-[a-z0-9]+"';
    expect(rowPanels(d, 'users').map((p) => p.title)).toEqual([
      'Request rate',
      'Success rate',
      'Latency',
      'User creation rate',
      'Active sessions',
      'CPU (share of limit)',
      'Memory (share of limit)',
      'Restarts (last hour)',
    ]);
    const creation = panel(d, 'users', 'User creation rate');
    expect(creation.fieldConfig.defaults.unit).toBe('ops');
    expect(creation.targets.map((t: Obj) => [t.expr, t.legendFormat])).toEqual([
      [
        `sum by (namespace) (rate(http_request_duration_seconds_count{${users}, method="POST"}[5m]))`,
        'User creation rate',
      ],
    ]);
    const sessions = panel(d, 'users', 'Active sessions');
    expect(sessions.fieldConfig.defaults.unit).toBe('short');
    expect(exprs(sessions)).toEqual([`sum by (namespace) (sessions_active{${users}})`]);
    expect(exprs(panel(d, 'mailer', 'Queue depth'))).toEqual([
      'sum by (namespace) (mail_queue_total{namespace="shop", pod=~"mailer-[a-z0-9]+-[a-z0-9]+"})',
    ]);
    const all = [creation, sessions, panel(d, 'mailer', 'Queue depth')].flatMap(exprs);
    expect(all.flatMap(promqlErrors)).toEqual([]);
  });

  test('custom metrics are validated: title, metric and label names, label values, distinct titles', () => {
    const withCustom = (custom: NonNullable<NonNullable<ServiceProps['metrics']>['custom']>) => () =>
      new Service(newChart(), 'users', { image: IMAGE, port: 9898, metrics: { port: 9797, custom } });
    expect(withCustom([{ title: ' ', metric: 'a_total' }])).toThrow(
      'shop/users: metrics.custom[0].title is empty; give the panel a title such as "User creation rate"',
    );
    expect(withCustom([{ title: 'Created', metric: 'users-created' }])).toThrow(
      'shop/users: metrics.custom[0].metric "users-created" is not a Prometheus metric name; use letters, digits, "_" and ":", not starting with a digit (e.g. "users_created_total")',
    );
    expect(withCustom([{ title: 'Created', metric: 'a_total', labels: { 'http-method': 'POST' } }])).toThrow(
      'shop/users: metrics.custom[0].labels.http-method is not a Prometheus label name; use letters, digits and "_", not starting with a digit or "__"',
    );
    expect(withCustom([{ title: 'Created', metric: 'a_total', labels: { method: 'PO"ST' } }])).toThrow(
      'shop/users: metrics.custom[0].labels.method "PO\\"ST" holds a quote, backslash or newline; match on a plain label value',
    );
    expect(
      withCustom([
        { title: 'Created', metric: 'a_total' },
        { title: 'Created', metric: 'b_total' },
      ]),
    ).toThrow('shop/users: metrics.custom[].title has "Created" twice; give each entry a distinct value');
    expect(
      () =>
        new Worker(newChart(), 'mailer', {
          image: IMAGE,
          liveness: { http: '/healthz' },
          metrics: { port: 9797, custom: [{ title: 'Sent', metric: '1_sent' }] },
        }),
    ).toThrow('shop/mailer: metrics.custom[0].metric "1_sent" is not a Prometheus metric name');
  });

  test('workloads without request metrics get no request panels', () => {
    const d = dashboard(app());
    for (const w of ['web', 'consumer', 'db']) {
      expect(rowPanels(d, w).map((p) => p.title)).not.toContain('Request rate');
    }
  });

  test.each(Object.keys(ENGINE_METRICS) as DatabaseEngine[])(
    'a %s database row shows its exporter metrics',
    (engine) => {
      const chart = newChart();
      new Database(chart, 'store', { engine });
      const d = dashboard(chart);
      const m = ENGINE_METRICS[engine];
      const server = panel(d, 'store', 'Server');
      expect(server.type).toBe('stat');
      expect(exprs(server)).toEqual([`min by (namespace, pod) (${m.up}{namespace="shop", pod=~"store-[0-9]+"})`]);
      expect(server.fieldConfig.defaults.mappings[0].options).toMatchObject({
        '0': { text: 'down' },
        '1': { text: 'up' },
      });
      expect(exprs(panel(d, 'store', 'Connections'))[0]).toContain(`${m.connections.metric}{namespace="shop"`);
      const throughput = panel(d, 'store', m.throughputTitle);
      expect(throughput.fieldConfig.defaults.unit).toBe('ops');
      expect(exprs(throughput)).toHaveLength(m.throughput.length);
      m.throughput.forEach((s, i) => expect(exprs(throughput)[i]).toContain(`rate(${s.metric}{`));
    },
  );

  test('a database without its exporter has only the saturation panels', () => {
    const chart = newChart();
    new Database(chart, 'db', {
      engine: 'mysql',
      metrics: false,
      backup: { disabled: 'a test of the exporter panels' },
    });
    expect(rowPanels(dashboard(chart), 'db').map((p) => p.title)).toEqual([
      'CPU (share of limit)',
      'Memory (share of limit)',
      'Restarts (last hour)',
    ]);
  });

  test('panels fit the 24-column grid and never overlap', () => {
    const chart = app({ mesh: 'linkerd' });
    for (const engine of Object.keys(ENGINE_METRICS) as DatabaseEngine[]) new Database(chart, engine, { engine });
    const boxes = dashboard(chart).panels.map((p: Obj) => p.gridPos);
    for (const b of boxes) {
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.x + b.w).toBeLessThanOrEqual(GRID_COLUMNS);
    }
    const overlaps = (a: Obj, b: Obj): boolean =>
      a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    const pairs = boxes.flatMap((a: Obj, i: number) => boxes.slice(i + 1).filter((b: Obj) => overlaps(a, b)));
    expect(pairs).toEqual([]);
    // Each row header sits below everything before it.
    const panels = dashboard(chart).panels;
    panels.forEach((p: Obj, i: number) => {
      if (p.type !== 'row') return;
      for (const before of panels.slice(0, i))
        expect(before.gridPos.y + before.gridPos.h).toBeLessThanOrEqual(p.gridPos.y);
    });
  });

  test('panel ids are unique', () => {
    const ids = dashboard(app()).panels.map((p: Obj) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('every query is valid PromQL', () => {
    const chart = app({ mesh: 'linkerd' });
    for (const engine of Object.keys(ENGINE_METRICS) as DatabaseEngine[]) new Database(chart, engine, { engine });
    const all = [dashboard(app()), dashboard(chart)].flatMap((d) =>
      d.panels.filter((p: Obj) => p.type !== 'row').flatMap(exprs),
    );
    expect(all.length).toBeGreaterThan(40);
    expect(all.map((e) => ({ e, errors: promqlErrors(e) })).filter((x) => x.errors.length)).toEqual([]);
  });

  test('the JSON is deterministic: same app, same bytes, keys sorted, trailing newline', () => {
    const json = configMap(app()).data['shop.json'];
    expect(configMap(app()).data['shop.json']).toBe(json);
    expect(json.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(json))).toEqual([...Object.keys(JSON.parse(json))].sort());
  });

  test('the uid derives from the app name and stays within 40 characters', () => {
    expect(dashboardUid('shop')).toBe('app-shop');
    const long = 'a'.repeat(60);
    expect(dashboardUid(long)).toHaveLength(40);
    expect(dashboardUid(long)).toBe(dashboardUid(long));
    expect(dashboardUid(long)).not.toBe(dashboardUid(`${'a'.repeat(59)}b`));
  });

  test('the ConfigMap validates against the Kubernetes schema', () => {
    expect(findings(synth(app())).filter((f) => f.object.startsWith('ConfigMap/'))).toEqual([]);
  });

  test('dashboard: false leaves the ConfigMap out', () => {
    expect(synth(app({ dashboard: false })).filter((o) => o.kind === 'ConfigMap')).toEqual([]);
  });

  test('with alerts and dashboard off, a workload without metrics needs no Prometheus', () => {
    const chart = newChart({ alerts: false, dashboard: false });
    new Service(chart, 'web', { image: IMAGE, port: 8080 });
    expect(chart.indexEntry('x', 'y').addons).toEqual([]);
  });

  test('dashboard must be a boolean', () => {
    expect(() => newChart({ dashboard: 'yes' as unknown as boolean })).toThrow(
      'shop: dashboard "yes" is not a boolean; use true or false',
    );
  });
});
