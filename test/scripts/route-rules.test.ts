import { checkRule, goodService } from './fixtures';

const check = checkRule;

const ingress = (name: string, path: string, service = 'web', port = 80, annotations?: Record<string, string>) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name, namespace: 'shop', ...(annotations ? { annotations } : {}) },
  spec: {
    ingressClassName: 'nginx',
    rules: [
      {
        host: 'shop.example.com',
        http: {
          paths: [{ path, pathType: 'Prefix', backend: { service: { name: service, port: { number: port } } } }],
        },
      },
    ],
  },
});
const httpProxy = (services: { name: string; port: number }[]) => ({
  apiVersion: 'projectcontour.io/v1',
  kind: 'HTTPProxy',
  metadata: { name: 'shop', namespace: 'shop' },
  spec: { virtualhost: { fqdn: 'shop.example.com' }, routes: [{ conditions: [{ prefix: '/' }], services }] },
});
const httpRoute = (namespace: string, backend: string, port = 80) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'shop', namespace },
  spec: {
    hostnames: ['shop.example.com'],
    rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: backend, port }] }],
  },
});

describe('route-backend', () => {
  it('accepts backends that are Service ports in the namespace', () => {
    expect(check('route-backend', goodService(), ingress('a', '/'), httpProxy([{ name: 'web', port: 80 }]))).toEqual(
      [],
    );
  });

  it('reports a missing Service and a port the Service does not declare, for every kind', () => {
    expect(
      check(
        'route-backend',
        goodService(),
        ingress('a', '/', 'api'),
        httpProxy([{ name: 'web', port: 8080 }]),
        httpRoute('shop', 'web', 81),
      ),
    ).toEqual([
      {
        object: 'Ingress/shop/a',
        message:
          'spec.rules[0].http.paths[0]: Service api does not exist in namespace shop; route to an existing Service',
      },
      {
        object: 'HTTPProxy/shop/shop',
        message: 'spec.routes[0].services[0]: port 8080 is not a port of Service web; use one of 80',
      },
      {
        object: 'HTTPRoute/shop/shop',
        message: 'spec.rules[0].backendRefs[0]: port 81 is not a port of Service web; use one of 80',
      },
    ]);
  });
});

describe('unique-route', () => {
  it('reports the second claim on a host and path, across namespaces and kinds', () => {
    const other = { ...goodService(), metadata: { name: 'web', namespace: 'blog' } };
    expect(
      check('unique-route', goodService(), other, ingress('a', '/api'), httpRoute('blog', 'web'), ingress('b', '/')),
    ).toEqual([
      {
        object: 'HTTPRoute/blog/shop',
        message:
          'host shop.example.com path /api is already claimed by Ingress/shop/a (test.k8s.yaml); give each host and path one route',
      },
    ]);
  });

  it('lets a canary Ingress share the main Ingress’s host and path', () => {
    const canary = ingress('a-canary', '/', 'web', 80, { 'nginx.ingress.kubernetes.io/canary': 'true' });
    expect(check('unique-route', goodService(), ingress('a', '/'), canary)).toEqual([]);
  });
});
