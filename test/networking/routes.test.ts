import { Testing } from 'cdk8s';
import { GATEWAY_HTTPS_HOSTS_MAX, PlatformChart, Route, Service } from '../../platform';
import type { RouteProps } from '../../platform';
import { find, findings, newChart, synth } from '../helpers';
import type { Obj } from '../helpers';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';

/** An app with a web front end, an HTTP+gRPC API, a canary of it, and a pure gRPC service. */
function shop() {
  const chart = newChart();
  const web = new Service(chart, 'web', { image: IMAGE, port: 8080 });
  const api = new Service(chart, 'api', { image: IMAGE, port: 9898, grpcPort: 9999 });
  const apiCanary = new Service(chart, 'api-canary', { image: IMAGE, port: 9898, grpcPort: 9999 });
  const stats = new Service(chart, 'stats', { image: IMAGE, port: 9000, protocol: 'grpc' });
  return { chart, web, api, apiCanary, stats };
}

function routeObjects(props: (s: ReturnType<typeof shop>) => RouteProps): { objects: Obj[]; chart: PlatformChart } {
  const s = shop();
  new Route(s.chart, 'public', props(s));
  return { objects: synth(s.chart), chart: s.chart };
}

const ingressPolicySources = (objects: Obj[], workload: string) =>
  find(objects, 'NetworkPolicy', workload)
    .spec.ingress.filter((r: Obj) => r.from[0].namespaceSelector && !r.from[0].podSelector)
    .map((r: Obj) => ({
      namespace: r.from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'],
      ports: r.ports.map((p: Obj) => p.port),
    }));

describe('Route via nginx', () => {
  const { objects, chart } = routeObjects(({ web, api, apiCanary }) => ({
    host: 'shop.example.com',
    via: 'nginx',
    tls: { issuer: { name: 'letsencrypt' } },
    paths: [
      { path: '/', to: web, websockets: true },
      {
        path: '/api',
        to: [
          { service: api, weight: 80 },
          { service: apiCanary, weight: 20 },
        ],
      },
      { path: '/grpc', to: api, port: 9999 },
    ],
  }));
  const ingresses = objects.filter((o) => o.kind === 'Ingress');

  test('groups paths into one Ingress of class nginx per set of annotations', () => {
    expect(ingresses.map((i) => i.metadata.name)).toEqual(['public', 'public-2', 'public-3', 'public-canary']);
    for (const i of ingresses) {
      expect(i.spec.ingressClassName).toBe('nginx');
      expect(i.spec.tls).toEqual([{ hosts: ['shop.example.com'], secretName: 'public-tls' }]);
    }
    const web = find(objects, 'Ingress', 'public');
    expect(web.spec.rules).toEqual([
      {
        host: 'shop.example.com',
        http: {
          paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 8080 } } } }],
        },
      },
    ]);
  });

  test('keeps WebSockets open with hour-long proxy timeouts and asks cert-manager for the certificate once', () => {
    expect(find(objects, 'Ingress', 'public').metadata.annotations).toEqual({
      'cert-manager.io/cluster-issuer': 'letsencrypt',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
      'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
    });
    expect(ingresses.filter((i) => i.metadata.annotations['cert-manager.io/cluster-issuer'])).toHaveLength(1);
  });

  test('sends gRPC paths to the gRPC port with backend-protocol GRPC', () => {
    const grpc = find(objects, 'Ingress', 'public-3');
    expect(grpc.metadata.annotations['nginx.ingress.kubernetes.io/backend-protocol']).toBe('GRPC');
    expect(grpc.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'api', port: { number: 9999 } });
  });

  test('splits a weighted path with a canary Ingress for the second backend', () => {
    const main = find(objects, 'Ingress', 'public-2');
    expect(main.spec.rules[0].http.paths[0]).toMatchObject({ path: '/api', backend: { service: { name: 'api' } } });
    expect(main.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBe('60');
    const canary = find(objects, 'Ingress', 'public-canary');
    expect(canary.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/canary': 'true',
      'nginx.ingress.kubernetes.io/canary-weight': '20',
      'nginx.ingress.kubernetes.io/canary-weight-total': '100',
    });
    expect(canary.spec.rules[0].http.paths[0]).toMatchObject({
      path: '/api',
      backend: { service: { name: 'api-canary', port: { number: 9898 } } },
    });
  });

  test('admits the ingress-nginx namespace to exactly the routed ports', () => {
    expect(ingressPolicySources(objects, 'web')).toEqual([{ namespace: 'ingress-nginx', ports: [8080] }]);
    expect(ingressPolicySources(objects, 'api')).toEqual([
      { namespace: 'ingress-nginx', ports: [9898] },
      { namespace: 'ingress-nginx', ports: [9999] },
    ]);
    expect(ingressPolicySources(objects, 'stats')).toEqual([]);
  });

  test('records the host and the ingress-nginx add-on', () => {
    const entry = chart.indexEntry('x', 'y');
    expect(entry.hosts).toEqual(['shop.example.com']);
    expect(entry.addons).toContain('ingress-nginx');
  });

  test('every object passes the schemas and policy checks', () => {
    expect(findings(objects)).toEqual([]);
  });
});

describe('Route via contour', () => {
  const { objects, chart } = routeObjects(({ web, api, apiCanary, stats }) => ({
    host: 'contour.example.com',
    via: 'contour',
    tls: { secretName: 'contour-cert' },
    timeoutSeconds: 30,
    paths: [
      { path: '/', to: web, websockets: true },
      {
        path: '/api',
        to: [
          { service: api, weight: 90 },
          { service: apiCanary, weight: 10 },
        ],
      },
      { path: '/stats', to: stats },
    ],
  }));
  const proxy = find(objects, 'HTTPProxy', 'public');

  test('is one root HTTPProxy for the host, with TLS from the Secret', () => {
    expect(proxy.apiVersion).toBe('projectcontour.io/v1');
    expect(proxy.spec.ingressClassName).toBe('contour');
    expect(proxy.spec.virtualhost).toEqual({ fqdn: 'contour.example.com', tls: { secretName: 'contour-cert' } });
  });

  test('enables WebSockets with an idle timeout and no response timeout', () => {
    expect(proxy.spec.routes[0]).toEqual({
      conditions: [{ prefix: '/' }],
      services: [{ name: 'web', port: 8080 }],
      enableWebsockets: true,
      timeoutPolicy: { response: 'infinity', idle: '30s' },
    });
  });

  test('splits the canary path by weight and speaks h2c to gRPC services', () => {
    expect(proxy.spec.routes[1].services).toEqual([
      { name: 'api', port: 9898, weight: 90 },
      { name: 'api-canary', port: 9898, weight: 10 },
    ]);
    expect(proxy.spec.routes[1].timeoutPolicy).toEqual({ response: '30s' });
    expect(proxy.spec.routes[2].services).toEqual([{ name: 'stats', port: 9000, protocol: 'h2c' }]);
  });

  test('admits the Contour namespace and records the contour add-on', () => {
    expect(ingressPolicySources(objects, 'stats')).toEqual([{ namespace: 'projectcontour', ports: [9000] }]);
    expect(chart.indexEntry('x', 'y').addons).toContain('contour');
  });

  test('validates against the HTTPProxy CRD', () => {
    expect(findings(objects)).toEqual([]);
  });
});

describe('Route via gateway', () => {
  const { objects, chart } = routeObjects(({ web, api, apiCanary, stats }) => ({
    host: 'gw.example.com',
    via: 'gateway',
    paths: [
      { path: '/', to: web, websockets: true },
      {
        path: '/api',
        to: [
          { service: api, weight: 100 },
          { service: apiCanary, weight: 0 },
        ],
      },
      { path: '/stats.v1.Stats', to: stats, timeoutSeconds: 5 },
      { path: '/podinfo.Greeter', to: api, port: 9999 },
    ],
  }));

  test('attaches an HTTPRoute for the HTTP paths to the platform Gateway', () => {
    const route = find(objects, 'HTTPRoute', 'public');
    expect(route.spec.parentRefs).toEqual([
      { name: 'platform', namespace: 'projectcontour', sectionName: 'https-gw.example.com' },
    ]);
    expect(route.spec.hostnames).toEqual(['gw.example.com']);
    expect(route.spec.rules).toEqual([
      {
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: [{ name: 'web', port: 8080 }],
        timeouts: { request: '0s' },
      },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
        backendRefs: [
          { name: 'api', port: 9898, weight: 100 },
          { name: 'api-canary', port: 9898, weight: 0 },
        ],
        timeouts: { request: '60s' },
      },
    ]);
  });

  test('routes gRPC paths with a GRPCRoute matching the gRPC service name', () => {
    const route = find(objects, 'GRPCRoute', 'public-grpc');
    expect(route.spec.rules).toEqual([
      { matches: [{ method: { service: 'stats.v1.Stats' } }], backendRefs: [{ name: 'stats', port: 9000 }] },
      { matches: [{ method: { service: 'podinfo.Greeter' } }], backendRefs: [{ name: 'api', port: 9999 }] },
    ]);
  });

  test('admits the Gateway’s Envoy and records the gateway-api and contour add-ons', () => {
    expect(ingressPolicySources(objects, 'api-canary')).toEqual([{ namespace: 'projectcontour', ports: [9898] }]);
    expect(chart.indexEntry('x', 'y').addons).toEqual(expect.arrayContaining(['contour', 'gateway-api']));
  });

  test('validates against the Gateway API CRDs', () => {
    expect(findings(objects)).toEqual([]);
  });
});

describe('Route validation', () => {
  const attempt = (props: (s: ReturnType<typeof shop>) => Partial<RouteProps>) => () => {
    const s = shop();
    new Route(s.chart, 'public', { host: 'shop.example.com', via: 'gateway', paths: [{ to: s.web }], ...props(s) });
  };

  test.each([
    [
      'canary weights that do not sum to 100',
      ({ api, apiCanary }: ReturnType<typeof shop>) => ({
        paths: [
          {
            to: [
              { service: api, weight: 90 },
              { service: apiCanary, weight: 20 },
            ],
          },
        ],
      }),
      'shop/public: paths[0].to[].weight sum to 110; make the weights sum to 100 (e.g. 90 and 10 for a canary, 100 and 0 for blue/green)',
    ],
    [
      'a negative weight',
      ({ api, apiCanary }: ReturnType<typeof shop>) => ({
        paths: [
          {
            to: [
              { service: api, weight: 110 },
              { service: apiCanary, weight: -10 },
            ],
          },
        ],
      }),
      'shop/public: paths[0].to[0].weight 110 is not allowed; use an integer between 0 and 100',
    ],
    [
      'a single weighted backend',
      ({ api }: ReturnType<typeof shop>) => ({ paths: [{ to: [{ service: api, weight: 100 }] }] }),
      'shop/public: paths[0].to has one weighted backend; give the service itself as `to`',
    ],
    [
      'three weighted backends on nginx',
      ({ api, apiCanary, web }: ReturnType<typeof shop>) => ({
        via: 'nginx' as const,
        paths: [
          {
            to: [
              { service: api, weight: 50 },
              { service: apiCanary, weight: 25 },
              { service: web, weight: 25 },
            ],
          },
        ],
      }),
      'ingress-nginx splits traffic between a main and one canary backend',
    ],
    [
      'an unknown ingress',
      () => ({ via: 'traefik' as never }),
      'shop/public: via "traefik" is not a known ingress; use one of nginx, contour, gateway',
    ],
    [
      'an invalid host',
      () => ({ host: 'https://shop.example.com' }),
      'shop/public: host "https://shop.example.com" is not a valid host name',
    ],
    ['no paths', () => ({ paths: [] }), 'shop/public: paths is empty'],
    [
      'a path that is not a prefix',
      ({ web }: ReturnType<typeof shop>) => ({ paths: [{ path: 'api/*', to: web }] }),
      'shop/public: paths[0].path "api/*" is not a URL path prefix',
    ],
    [
      'the same path twice',
      ({ web, api }: ReturnType<typeof shop>) => ({
        paths: [
          { path: '/a', to: web },
          { path: '/a', to: api },
        ],
      }),
      'shop/public: paths[].path',
    ],
    [
      'a port the service does not have',
      ({ web }: ReturnType<typeof shop>) => ({ paths: [{ to: web, port: 9999 }] }),
      'shop/public: paths[0].to.port 9999 is not a port of web; use one of 8080',
    ],
    [
      'mixed gRPC and HTTP backends',
      ({ api, stats }: ReturnType<typeof shop>) => ({
        paths: [
          {
            to: [
              { service: api, weight: 50 },
              { service: stats, weight: 50 },
            ],
          },
        ],
      }),
      'shop/public: paths[0].to mixes gRPC and HTTP backends',
    ],
    [
      'a gRPC path that is no service name on gateway',
      ({ stats }: ReturnType<typeof shop>) => ({ paths: [{ path: '/v1/stats', to: stats }] }),
      'shop/public: paths[0].path "/v1/stats" cannot select a gRPC service',
    ],
    [
      'a certificate on a gateway route',
      () => ({ tls: { secretName: 'cert' } }),
      'shop/public: tls names a certificate on a gateway route; leave it out: the platform Gateway terminates TLS with a certificate per host (or give tls.disabled)',
    ],
    [
      'a timeout of zero',
      () => ({ timeoutSeconds: 0 }),
      'shop/public: timeoutSeconds 0 is not allowed; use an integer between 1 and 86400',
    ],
  ])('rejects %s', (_name, props, message) => {
    expect(attempt(props as never)).toThrow(message);
  });

  test('rejects a service of another app, and leaves nothing behind', () => {
    const s = shop();
    const other = new PlatformChart(s.chart.node.root as never, 'other');
    expect(() => new Route(other, 'public', { host: 'a.example.com', via: 'nginx', paths: [{ to: s.web }] })).toThrow(
      'other/public: paths[0].to is web of app shop; route to services of the route’s own app',
    );
    expect(other.node.tryFindChild('public')).toBeUndefined();
    expect(other.indexEntry('x', 'y').hosts).toEqual([]);
  });

  test('rejects a second route on the same host and path, even from another app', () => {
    const app = Testing.app();
    const a = new PlatformChart(app, 'a');
    const b = new PlatformChart(app, 'b');
    const web = (chart: PlatformChart) => new Service(chart, 'web', { image: IMAGE, port: 8080 });
    new Route(a, 'www', { host: 'www.example.com', via: 'nginx', paths: [{ path: '/', to: web(a) }] });
    const bWeb = web(b);
    expect(() => new Route(b, 'www', { host: 'www.example.com', via: 'nginx', paths: [{ to: bWeb }] })).toThrow(
      'b/www: paths / on www.example.com is already routed by a/www; give each host and path one route',
    );
    // Another path on the same host through the same controller is fine.
    new Route(b, 'docs', { host: 'www.example.com', via: 'nginx', paths: [{ path: '/docs', to: bWeb }] });
  });

  test('rejects a host served through two implementations, and a second HTTPProxy for a host', () => {
    const s = shop();
    new Route(s.chart, 'one', { host: 'x.example.com', via: 'contour', paths: [{ to: s.web }] });
    expect(
      () => new Route(s.chart, 'two', { host: 'x.example.com', via: 'nginx', paths: [{ path: '/b', to: s.api }] }),
    ).toThrow('shop/two: host x.example.com is already served via contour by shop/one');
    expect(
      () => new Route(s.chart, 'three', { host: 'x.example.com', via: 'contour', paths: [{ path: '/b', to: s.api }] }),
    ).toThrow('Contour accepts one root HTTPProxy per host: put all its paths in one Route');
  });

  test('refuses a host the platform Gateway has no listener left for, and leaves nothing behind', () => {
    const s = shop();
    const route = (i: number, host = `h${i}.example.com`) =>
      new Route(s.chart, `r-${i}`, { host, via: 'gateway', paths: [{ path: `/p${i}`, to: s.web }] });
    for (let i = 0; i < GATEWAY_HTTPS_HOSTS_MAX; i++) route(i);
    expect(() => route(GATEWAY_HTTPS_HOSTS_MAX)).toThrow(
      `shop/r-31: host "h31.example.com" would bring the platform Gateway to 64 host listeners (two per HTTPS host, ` +
        'one per plain-HTTP host), over its 63 (the Gateway API allows 64 per Gateway); serve the other hosts via ' +
        '"contour" or "nginx"',
    );
    expect(s.chart.node.tryFindChild('r-31')).toBeUndefined();
    expect(s.chart.gatewayHttpsHosts).toHaveLength(GATEWAY_HTTPS_HOSTS_MAX);
    // A plain-HTTP host needs one listener: the 63rd fits, a 64th does not.
    const plain = (i: number) =>
      new Route(s.chart, `plain-${i}`, {
        host: `plain${i}.example.com`,
        via: 'gateway',
        tls: { disabled: 'served on an internal network only' },
        paths: [{ to: s.web }],
      });
    plain(0);
    expect(() => plain(1)).toThrow('shop/plain-1: host "plain1.example.com" would bring the platform Gateway to 64');
    expect(s.chart.gatewayHttpHosts).toEqual(['plain0.example.com']);
    // More paths on a host that has its listener, and other implementations, still fit.
    route(100, 'h0.example.com');
    new Route(s.chart, 'via-contour', { host: 'c.example.com', via: 'contour', paths: [{ to: s.web }] });
    expect(s.chart.gatewayHttpsHosts).toHaveLength(GATEWAY_HTTPS_HOSTS_MAX);
  });
});
