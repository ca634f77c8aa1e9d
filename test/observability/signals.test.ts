import type { GraphNode } from '../../platform';
import { DEFAULT_HTTP_METRICS, Service } from '../../platform';
import { newChart } from '../helpers';
import { promqlErrors } from './promql';
import { WorkloadQueries } from '../../platform/observability/signals';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';

const node = (over: Partial<GraphNode>): GraphNode => ({
  name: 'api',
  selector: {},
  ports: [{ name: 'http', port: 8080 }],
  metricsPorts: [],
  meshed: false,
  component: 'service',
  kind: 'Deployment',
  hasService: true,
  ...over,
});

describe('signals', () => {
  test("pods are found by their controller's naming scheme", () => {
    expect(WorkloadQueries.podPattern(node({}))).toBe('api-[a-z0-9]+-[a-z0-9]+');
    expect(WorkloadQueries.podPattern(node({ name: 'db', kind: 'StatefulSet' }))).toBe('db-[0-9]+');
  });

  test('request metrics come from Linkerd when meshed, else from a metrics port; only services have them', () => {
    const metrics = [{ name: 'http-metrics', port: 9797 }];
    expect(WorkloadQueries.requestSource(node({ meshed: true }))).toBe('linkerd');
    expect(WorkloadQueries.requestSource(node({ meshed: true, metricsPorts: metrics }))).toBe('linkerd');
    expect(WorkloadQueries.requestSource(node({ metricsPorts: metrics }))).toBe('app');
    expect(WorkloadQueries.requestSource(node({}))).toBeUndefined();
    expect(WorkloadQueries.requestSource(node({ component: 'worker', meshed: true, metricsPorts: metrics }))).toBe(
      undefined,
    );
    expect(WorkloadQueries.requestSource(node({ component: 'database', meshed: true, engine: 'redis' }))).toBe(
      undefined,
    );
  });

  test('the defaults are podinfo’s metrics', () => {
    expect(DEFAULT_HTTP_METRICS).toEqual({
      requestsTotal: 'http_requests_total',
      durationSeconds: 'http_request_duration_seconds',
      statusLabel: 'status',
      errorStatus: '5..',
    });
  });

  test('the PromQL checker used by these tests does catch syntax errors', () => {
    expect(promqlErrors('sum by (namespace) (rate(x{a="b"}[5m]))')).toEqual([]);
    expect(promqlErrors('sum(rate(x[5m]) /')).not.toEqual([]);
    expect(promqlErrors('rate(x{a="b}[5m])')).not.toEqual([]);
  });

  describe('httpMetrics validation', () => {
    test.each(['requestsTotal', 'durationSeconds'] as const)('%s must be a metric name', (key) => {
      expect(() => newChart({ httpMetrics: { [key]: 'http-requests' } })).toThrow(
        `shop: httpMetrics.${key} "http-requests" is not a Prometheus metric name; use letters, digits, "_" and ":", not starting with a digit (e.g. "http_requests_total")`,
      );
    });

    test('statusLabel must be a label name', () => {
      expect(() => newChart({ httpMetrics: { statusLabel: '__name__' } })).toThrow(
        'shop: httpMetrics.statusLabel "__name__" is not a Prometheus label name; use letters, digits and "_", not starting with a digit or "__" (e.g. "code")',
      );
    });

    test.each(['5"', '5\\d\\d', '(5', ''])('errorStatus %j is refused', (value) => {
      expect(() => newChart({ httpMetrics: { errorStatus: value } })).toThrow(
        `shop: httpMetrics.errorStatus ${JSON.stringify(value)} is not a usable regular expression; write a non-empty regular expression without quotes or backslashes, e.g. "5.." or "5[0-9][0-9]|429"`,
      );
    });

    test('valid names are accepted', () => {
      const chart = newChart({ httpMetrics: { requestsTotal: 'app:requests_total', statusLabel: 'code' } });
      expect(() => new Service(chart, 'api', { image: IMAGE, port: 8080 })).not.toThrow();
    });
  });
});
