/**
 * Issue 26, item 6: the names of a service's own HTTP metrics are a setting of each Service, so that a Go and a
 * Python service of one app both get request alerts and dashboard panels on their own counters.
 */
import { PlatformValidationError, Service } from '../../platform';
import type { Obj } from '../helpers';
import { find, newChart, synth } from '../helpers';
import { IMAGE } from './fixtures';

function polyglotApp() {
  const chart = newChart({ httpMetrics: { statusLabel: 'code' } });
  new Service(chart, 'go-api', { image: IMAGE, port: 8080, metrics: { path: '/metrics' } });
  new Service(chart, 'py-api', {
    image: IMAGE,
    port: 8000,
    metrics: { path: '/metrics' },
    httpMetrics: { requestsTotal: 'http_server_requests_total', durationSeconds: 'http_server_duration_seconds' },
  });
  return synth(chart);
}

const rules = (objects: Obj[], workload: string): Obj[] =>
  find(objects, 'PrometheusRule', 'shop-alerts').spec.groups.find((g: Obj) => g.name === `shop.${workload}`).rules;
const expr = (objects: Obj[], workload: string, alert: string): string =>
  (rules(objects, workload).find((r: Obj) => r.alert === alert) as Obj).expr;

test('each service is alerted on its own request counter; what it leaves out comes from the app', () => {
  const objects = polyglotApp();
  const go = expr(objects, 'go-api', 'AppHighErrorRate');
  const py = expr(objects, 'py-api', 'AppHighErrorRate');
  expect(go).toContain('rate(http_requests_total{namespace="shop", pod=~"go-api-');
  expect(go).toContain('code=~"5.."');
  expect(py).toContain('rate(http_server_requests_total{namespace="shop", pod=~"py-api-');
  expect(py).toContain('code=~"5.."'); // the app's statusLabel
  expect(py).not.toContain('http_requests_total');
  expect(expr(objects, 'py-api', 'AppHighLatency')).toContain('rate(http_server_duration_seconds_bucket{');
});

test("each service's dashboard row reads its own counter", () => {
  const objects = polyglotApp();
  const dashboard = JSON.parse(find(objects, 'ConfigMap', 'shop-dashboard').data['shop.json']);
  const exprs: string[] = dashboard.panels.flatMap((p: Obj) => (p.targets ?? []).map((t: Obj) => t.expr));
  expect(exprs.some((e) => e.includes('http_server_requests_total{namespace="shop", pod=~"py-api-'))).toBe(true);
  expect(exprs.some((e) => e.includes('http_requests_total{namespace="shop", pod=~"go-api-'))).toBe(true);
});

test("a service's httpMetrics is validated like the app's, and needs a metrics endpoint", () => {
  const chart = newChart();
  expect(
    () => new Service(chart, 'a', { image: IMAGE, port: 80, metrics: {}, httpMetrics: { statusLabel: '__x' } }),
  ).toThrow('shop/a: httpMetrics.statusLabel "__x" is not a Prometheus label name');
  let error: unknown;
  try {
    new Service(chart, 'b', { image: IMAGE, port: 80, httpMetrics: { requestsTotal: 'x_total' } });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PlatformValidationError);
  expect((error as PlatformValidationError).message).toBe(
    'shop/b: httpMetrics {"requestsTotal":"x_total"} is set but the service has no metrics endpoint; add metrics: { path: "/metrics" } (the port defaults to the service port), or leave httpMetrics out',
  );
});
