import type { RouteMetric } from '../../platform';
import { Service } from '../../platform';
import type { Obj } from '../helpers';
import { find, findings, newChart, synth } from '../helpers';
import { pathTemplateRegex } from '../../platform/mesh/route-metrics';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';

function profileOf(routeMetrics: readonly RouteMetric[]): Obj {
  const chart = newChart({ mesh: 'linkerd' });
  new Service(chart, 'api', { image: IMAGE, port: 9898, routeMetrics });
  return find(synth(chart), 'ServiceProfile', 'api.shop.svc.cluster.local');
}

function rejects(routeMetrics: readonly RouteMetric[]): () => Service {
  return () => new Service(newChart({ mesh: 'linkerd' }), 'api', { image: IMAGE, port: 9898, routeMetrics });
}

describe('per-route metrics (ServiceProfile)', () => {
  test("a meshed service's routes become a v1alpha2 ServiceProfile named after its DNS name", () => {
    const profile = profileOf([
      { method: 'GET', path: '/api/users/{id}' },
      { method: 'POST', path: '/api/users', name: 'create user' },
      { path: '/' },
    ]);
    expect(profile.apiVersion).toBe('linkerd.io/v1alpha2');
    expect(profile.metadata.namespace).toBe('shop');
    expect(profile.spec.routes).toEqual([
      { name: 'GET /api/users/{id}', condition: { method: 'GET', pathRegex: '^/api/users/[^/]+(/.*)?$' } },
      { name: 'create user', condition: { method: 'POST', pathRegex: '^/api/users(/.*)?$' } },
      { name: '/', condition: { pathRegex: '^/.*$' } },
    ]);
  });

  test('path templates match the path and everything below it, with literal characters escaped', () => {
    expect(pathTemplateRegex('/v1.0/items/{id}')).toBe('^/v1\\.0/items/[^/]+(/.*)?$');
    const regex = new RegExp(pathTemplateRegex('/v1.0/items/{id}'));
    expect(['/v1.0/items/7', '/v1.0/items/7/', '/v1.0/items/7/tags'].map((p) => regex.test(p))).toEqual([
      true,
      true,
      true,
    ]);
    expect(
      ['/v1x0/items/7', '/v1.0/items', '/v1.0/items/', '/v1.0/itemsX/7', '/x/v1.0/items/7'].map((p) => regex.test(p)),
    ).toEqual([false, false, false, false, false]);
  });

  test('a regular expression is anchored as a whole, alternations included', () => {
    const profile = profileOf([{ pathRegex: '/healthz|/readyz', name: 'probes' }]);
    expect(profile.spec.routes[0].condition).toEqual({ pathRegex: '^(?:/healthz|/readyz)$' });
    const regex = new RegExp(profile.spec.routes[0].condition.pathRegex);
    expect([regex.test('/readyz'), regex.test('/healthz/x'), regex.test('/x/readyz')]).toEqual([true, false, false]);
  });

  test('timeouts and retries are set per route', () => {
    const profile = profileOf([
      { method: 'GET', path: '/api/report', timeout: '1m30s', retryable: true },
      { method: 'POST', path: '/api/report', timeout: '500ms' },
    ]);
    expect(profile.spec.routes).toEqual([
      expect.objectContaining({ isRetryable: true, timeout: '1m30s' }),
      { name: 'POST /api/report', condition: { method: 'POST', pathRegex: '^/api/report(/.*)?$' }, timeout: '500ms' },
    ]);
  });

  test('the ServiceProfile validates against the Linkerd CRD', () => {
    const chart = newChart({ mesh: 'linkerd' });
    new Service(chart, 'api', {
      image: IMAGE,
      port: 9898,
      routeMetrics: [{ method: 'GET', path: '/api/users/{id}', timeout: '5s', retryable: true }],
    });
    const objects = synth(chart);
    expect(findings(objects)).toEqual([]);
    // The check is live: a route without a name breaks the CRD's `required`.
    const profile = find(objects, 'ServiceProfile', 'api.shop.svc.cluster.local');
    delete profile.spec.routes[0].name;
    expect(findings([profile])).toEqual([
      expect.objectContaining({ object: 'ServiceProfile/shop/api.shop.svc.cluster.local', rule: 'crd-schema' }),
    ]);
  });

  test('no routeMetrics, no ServiceProfile', () => {
    const chart = newChart({ mesh: 'linkerd' });
    new Service(chart, 'api', { image: IMAGE, port: 9898, routeMetrics: [] });
    expect(synth(chart).filter((o) => o.kind === 'ServiceProfile')).toEqual([]);
  });
});

describe('routeMetrics validation', () => {
  test('an unmeshed app is rejected: the metrics come from the proxies', () => {
    expect(() => new Service(newChart(), 'api', { image: IMAGE, port: 9898, routeMetrics: [{ path: '/' }] })).toThrow(
      'shop/api: routeMetrics is set but the app is not meshed; set mesh: "linkerd" on the PlatformChart (per-route metrics come from the Linkerd proxies), or leave it out',
    );
  });

  test('a service that opts out of the mesh is rejected', () => {
    expect(
      () =>
        new Service(newChart({ mesh: 'linkerd' }), 'api', {
          image: IMAGE,
          port: 9898,
          mesh: false,
          routeMetrics: [{ path: '/' }],
        }),
    ).toThrow('shop/api: routeMetrics is set on a service that opts out of the mesh; remove mesh: false');
  });

  test.each([
    [[{}], 'routeMetrics[0] needs exactly one of path and pathRegex'],
    [[{ path: '/a', pathRegex: '/a' }], 'routeMetrics[0] needs exactly one of path and pathRegex'],
    [[{ path: 'api' }], 'routeMetrics[0].path "api" is not a path template'],
    [[{ path: '/api?x=1' }], 'routeMetrics[0].path "/api?x=1" is not a path template'],
    [[{ path: '/a//b' }], 'routeMetrics[0].path "/a//b" is not a path template'],
    [[{ path: '/a/{b' }], 'routeMetrics[0].path "/a/{b" is not a path template'],
    [[{ pathRegex: '/a/(?!admin)' }], 'routeMetrics[0].pathRegex "/a/(?!admin)" is not an RE2 regular expression'],
    [[{ pathRegex: '/a/[' }], 'routeMetrics[0].pathRegex "/a/[" is not an RE2 regular expression'],
    [[{ path: '/', method: 'get' as 'GET' }], 'routeMetrics[0].method "get" is not an HTTP method'],
    [[{ path: '/', timeout: '5' }], 'routeMetrics[0].timeout "5" is not a duration'],
    [[{ path: '/', timeout: '0s' }], 'routeMetrics[0].timeout "0s" is not a duration'],
    [[{ path: '/', name: ' ' }], 'routeMetrics[0].name is empty'],
    [
      [{ method: 'POST' as const, path: '/orders', retryable: true }],
      'routeMetrics[0].retryable is set on a route matching POST; retry only idempotent routes',
    ],
    [[{ path: '/orders', retryable: true }], 'routeMetrics[0].retryable is set on a route matching any method'],
    [
      [
        { method: 'GET' as const, path: '/a', name: 'x' },
        { method: 'POST' as const, path: '/b', name: 'x' },
      ],
      'routeMetrics[1].name "x" is also the name of routeMetrics[0]',
    ],
    [
      [
        { method: 'GET' as const, path: '/users/{id}' },
        { method: 'GET' as const, path: '/users/{userId}' },
      ],
      'routeMetrics[1] matches the same requests as routeMetrics[0]',
    ],
    [
      [{ path: '/api' }, { method: 'GET' as const, path: '/api/users' }],
      'routeMetrics[1] ("GET /api/users") is never counted: routeMetrics[0] ("/api") matches all its requests first; list the more specific route first',
    ],
    [
      [
        { method: 'GET' as const, path: '/users/{id}' },
        { method: 'GET' as const, path: '/users/me/avatar' },
      ],
      'routeMetrics[1] ("GET /users/me/avatar") is never counted: routeMetrics[0]',
    ],
  ])('%j is rejected', (routes, message) => {
    expect(rejects(routes as RouteMetric[])).toThrow(`shop/api: ${message}`);
  });

  test('a later route is fine when the earlier one matches another method or a narrower path', () => {
    const profile = profileOf([
      { method: 'POST', path: '/api' },
      { method: 'GET', path: '/api/users' },
      { path: '/api/users/{id}/avatar' },
      { path: '/api' },
    ]);
    expect(profile.spec.routes.map((r: Obj) => r.name)).toEqual([
      'POST /api',
      'GET /api/users',
      '/api/users/{id}/avatar',
      '/api',
    ]);
  });
});
