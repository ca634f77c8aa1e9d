import { checkRule } from './fixtures';

const HOST = 'shop.example.com';

const check = checkRule;

const ingress = (tls?: unknown[], annotations?: Record<string, string>) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', namespace: 'shop', ...(annotations ? { annotations } : {}) },
  spec: {
    ingressClassName: 'nginx',
    ...(tls ? { tls } : {}),
    rules: [
      {
        host: HOST,
        http: {
          paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }],
        },
      },
    ],
  },
});
const httpProxy = (tls?: unknown) => ({
  apiVersion: 'projectcontour.io/v1',
  kind: 'HTTPProxy',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { virtualhost: { fqdn: HOST, ...(tls ? { tls } : {}) }, routes: [{ services: [{ name: 'web', port: 80 }] }] },
});
const httpRoute = (sectionName: string, backends = true) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    parentRefs: [{ name: 'platform', namespace: 'projectcontour', sectionName }],
    hostnames: [HOST],
    rules: [backends ? { backendRefs: [{ name: 'web', port: 80 }] } : { filters: [{ type: 'RequestRedirect' }] }],
  },
});
const namespace = (labels: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'shop', labels },
});

describe('route-tls', () => {
  it('accepts an Ingress, HTTPProxy and HTTPRoute that serve their host over TLS', () => {
    expect(
      check(
        'route-tls',
        ingress([{ hosts: [HOST], secretName: 'web-tls' }]),
        httpProxy({ secretName: 'web-tls' }),
        httpRoute(`https-${HOST}`),
        httpRoute('http', false),
      ),
    ).toEqual([]);
  });

  it('reports each kind without TLS, with the fix', () => {
    expect(check('route-tls', ingress(), httpProxy(), httpRoute('http'))).toEqual([
      {
        object: 'Ingress/shop/web',
        message: `host ${HOST} has no spec.tls entry; serve it over TLS (the Route construct does by default)`,
      },
      {
        object: 'HTTPProxy/shop/web',
        message: `virtualhost ${HOST} has no tls; serve it over TLS (the Route construct does by default)`,
      },
      {
        object: 'HTTPRoute/shop/web',
        message: `parentRefs[0] attaches to listener "http", not the HTTPS listener https-${HOST}; serve it over TLS (the Route construct does by default)`,
      },
    ]);
  });

  it('is waived by an opt-out with its reason', () => {
    const optOut = ingress(undefined, { 'exceptions.platform.dev/route-tls': 'TLS ends at the cloud load balancer' });
    expect(check('route-tls', optOut)).toEqual([]);
  });
});

describe('namespace-pss-enforced', () => {
  it('accepts a namespace enforcing restricted', () => {
    expect(check('namespace-pss-enforced', namespace({ 'pod-security.kubernetes.io/enforce': 'restricted' }))).toEqual(
      [],
    );
  });

  it('reports a namespace that only warns', () => {
    expect(check('namespace-pss-enforced', namespace({ 'pod-security.kubernetes.io/warn': 'restricted' }))).toEqual([
      {
        object: 'Namespace/shop',
        message:
          'label pod-security.kubernetes.io/enforce is missing; set it to "restricted" (Linkerd needs no NET_ADMIN with its CNI plugin)',
      },
    ]);
  });
});
