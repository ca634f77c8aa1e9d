import {
  ACME_SOLVER_PORT,
  CLUSTER_ISSUERS,
  Route,
  Service,
  gatewayCertificateSecret,
  gatewayHttpsListener,
} from '../../platform';
import type { PlatformChart, RouteProps } from '../../platform';
import type { Obj } from '../helpers';
import { find, findings, newChart, synth } from '../helpers';
import { gatewayRedirectRoutes } from '../../platform/cloud/cert-issuers';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';
const HOST = 'shop.example.com';

function routed(via: RouteProps['via'], extra: Partial<RouteProps> = {}): { chart: PlatformChart; objects: Obj[] } {
  const chart = newChart();
  const web = new Service(chart, 'web', { image: IMAGE, port: 8080 });
  new Route(chart, 'public', { host: HOST, via, paths: [{ path: '/', to: web }], ...extra });
  return { chart, objects: synth(chart) };
}

describe('TLS by default: ingress-nginx', () => {
  test('the Ingress serves the host over TLS with a certificate from the platform issuer', () => {
    const ingress = find(routed('nginx').objects, 'Ingress', 'public');
    expect(ingress.spec.tls).toEqual([{ hosts: [HOST], secretName: 'public-tls' }]);
    expect(ingress.metadata.annotations['cert-manager.io/cluster-issuer']).toBe(CLUSTER_ISSUERS.nginx);
  });

  test('plain HTTP is redirected to HTTPS', () => {
    const ingress = find(routed('nginx').objects, 'Ingress', 'public');
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/ssl-redirect']).toBe('true');
  });
});

describe('TLS by default: Contour', () => {
  test('the HTTPProxy serves the host over TLS from a Secret a Certificate of the platform issuer fills', () => {
    const { objects } = routed('contour');
    expect(find(objects, 'HTTPProxy', 'public').spec.virtualhost).toEqual({
      fqdn: HOST,
      tls: { secretName: 'public-tls' },
    });
    expect(find(objects, 'Certificate', 'public').spec).toEqual({
      secretName: 'public-tls',
      dnsNames: [HOST],
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: CLUSTER_ISSUERS.contour },
    });
  });

  test('no route permits insecure requests, so Contour redirects HTTP to HTTPS', () => {
    const proxy = find(routed('contour').objects, 'HTTPProxy', 'public');
    expect(proxy.spec.routes.map((r: Obj) => r.permitInsecure)).toEqual([undefined]);
  });
});

describe('TLS by default: Gateway API', () => {
  test('the HTTPRoute attaches to the HTTPS listener of its host', () => {
    const route = find(routed('gateway').objects, 'HTTPRoute', 'public');
    expect(route.spec.parentRefs).toEqual([
      { name: 'platform', namespace: 'projectcontour', sectionName: gatewayHttpsListener(HOST) },
    ]);
  });

  test('the app attaches nothing to the shared HTTP listener: the platform redirects its host to HTTPS', () => {
    const { objects, chart } = routed('gateway');
    const sections = objects.flatMap((o) =>
      (o.spec?.parentRefs ?? []).map((r: { sectionName: string }) => r.sectionName),
    );
    expect(sections).toEqual([gatewayHttpsListener(HOST)]);
    const hosts = chart.indexEntry('f', 'd').gatewayHttpsHosts.map((host) => ({ host, namespace: 'shop' }));
    expect(gatewayRedirectRoutes(hosts)).toEqual([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: `https-redirect-${HOST}`, namespace: 'projectcontour' },
        spec: {
          parentRefs: [{ name: 'platform', sectionName: `http-${HOST}` }],
          hostnames: [HOST],
          rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
        },
      },
    ]);
  });

  test('the host is recorded for an HTTPS listener and certificate on the platform Gateway', () => {
    const entry = routed('gateway').chart.indexEntry('shop.k8s.yaml', 'sha256:0');
    expect(entry.gatewayHttpsHosts).toEqual([HOST]);
    expect(entry.addons).toContain('cert-manager');
    expect(gatewayCertificateSecret(HOST)).toBe('tls-shop-example-com');
  });
});

describe('opting out of TLS', () => {
  const reason = 'TLS ends at the cloud load balancer';

  test.each(['nginx', 'contour', 'gateway'] as const)('via %s: plain HTTP, with the reason on the object', (via) => {
    const { objects, chart } = routed(via, { tls: { disabled: reason } });
    const kind = { nginx: 'Ingress', contour: 'HTTPProxy', gateway: 'HTTPRoute' }[via];
    const route = find(objects, kind, 'public');
    expect(route.metadata.annotations['exceptions.platform.dev/route-tls']).toBe(reason);
    expect(objects.filter((o) => o.kind === 'Certificate' || o.metadata.name === 'public-https-redirect')).toEqual([]);
    expect(chart.indexEntry('f', 'd').gatewayHttpsHosts).toEqual([]);
    if (via === 'gateway') {
      expect(route.spec.parentRefs).toEqual([
        { name: 'platform', namespace: 'projectcontour', sectionName: `http-${HOST}` },
      ]);
      expect(chart.indexEntry('f', 'd').gatewayHttpHosts).toEqual([HOST]);
    }
  });

  test('an opt-out without a reason is an error', () => {
    expect(() => routed('nginx', { tls: { disabled: ' ' } })).toThrow(
      'shop/public: tls.disabled is empty; say why the host is served without TLS, e.g. "TLS ends at the cloud load balancer"',
    );
  });

  test('an opt-out together with a certificate is an error', () => {
    expect(() => routed('nginx', { tls: { disabled: reason, secretName: 'cert' } })).toThrow(
      'shop/public: tls.disabled is set with a certificate; give either tls.disabled or tls.secretName/tls.issuer',
    );
  });
});

describe('the ACME HTTP-01 solver', () => {
  test('only the ingress controller reaches the solver pods, on the solver port, and they reach nothing', () => {
    const policy = find(routed('contour').objects, 'NetworkPolicy', 'acme-http01-solver');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'projectcontour' } } }],
          ports: [{ protocol: 'TCP', port: ACME_SOLVER_PORT }],
        },
      ],
    });
  });

  test('gateway certificates are solved in the Gateway namespace, so the app namespace opens nothing', () => {
    expect(routed('gateway').objects.filter((o) => o.metadata.name === 'acme-http01-solver')).toEqual([]);
  });
});

test.each(['nginx', 'contour', 'gateway'] as const)('via %s: the TLS objects validate with no finding', (via) => {
  expect(findings(routed(via).objects)).toEqual([]);
});
