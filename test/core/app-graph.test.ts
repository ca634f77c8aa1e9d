/**
 * The app graph and the derivations read from it, without a chart or a construct: a graph is recorded by hand and
 * each area's derivation is a plain function of it.
 */
import { k8s } from 'cdk8s-plus-27';
import type { Addon } from '../../platform/contract';
import { ADDON_NAMESPACES, INGRESS_IDENTITIES } from '../../platform/contract';
import { AppGraph } from '../../platform/core/app-graph';
import { deriveIndexEntry } from '../../platform/core/app-index';
import type { GraphNode } from '../../platform/core/graph';
import { meshCallers, unmeshedPorts, workloadAuthorizations } from '../../platform/mesh/authorization-derivation';
import { acmeSolverPolicy, workloadPolicy } from '../../platform/networking/policy-derivation';
import {
  OBSERVED_WORKLOADS_PER_OBJECT,
  observabilityAddons,
  observedParts,
} from '../../platform/observability/app-observability';
import { DEFAULT_HTTP_METRICS } from '../../platform/observability/signals';

const node = (name: string, port?: number, extra: Partial<GraphNode> = {}): GraphNode => ({
  name,
  selector: { app: name },
  ports: port ? [{ name: 'http', port }] : [],
  metricsPorts: [],
  meshed: false,
  component: 'service',
  kind: 'Deployment',
  hasService: port !== undefined,
  ...extra,
});
const tcp = (port: number) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });

describe('AppGraph', () => {
  test('indexes edges by both ends, in declaration order, also after later records', () => {
    const g = new AppGraph();
    const [a, b, c] = [node('a', 8001), node('b', 8002), node('c', 8003)];
    [a, b, c].forEach((n) => g.recordNode(n));
    g.recordEdge({ from: a, to: c, ports: c.ports });
    expect(g.edgesTo(c).map((e) => e.from.name)).toEqual(['a']);
    g.recordEdge({ from: b, to: c, ports: c.ports });
    g.recordEdge({ from: a, to: b, ports: b.ports });
    expect(g.edgesTo(c).map((e) => e.from.name)).toEqual(['a', 'b']);
    expect(g.edgesFrom(a).map((e) => e.to.name)).toEqual(['c', 'b']);
    expect(g.edgesFrom(c)).toEqual([]);
  });

  test('records an ingress source and an egress rule once, and refuses a Secret declared both ways', () => {
    const g = new AppGraph();
    const web = node('web', 8080);
    g.recordIngress(web, { namespace: 'ingress-nginx', port: 8080 });
    g.recordIngress(web, { namespace: 'ingress-nginx', port: 8080 });
    g.recordEgress(web, { to: 'internet', ports: [443] });
    g.recordEgress(web, { to: 'internet', ports: [443] });
    expect(g.ingressSourcesOf(web)).toHaveLength(1);
    expect(g.egressRulesOf(web)).toEqual([{ to: 'internet', ports: [443] }]);
    expect(g.recordSecret('api', ['b'], { generate: false, description: 'd' })).toBe(true);
    expect(g.recordSecret('api', ['a'], { generate: false, description: 'd' })).toBe(true);
    expect(g.recordSecret('api', ['c'], { generate: true, description: 'd' })).toBe(false);
    expect([...(g.secrets.get('api')?.keys ?? [])]).toEqual(['b', 'a']);
  });
});

describe('derivations', () => {
  test('a NetworkPolicy admits exactly the recorded clients and ingress, and reaches exactly the dependencies', () => {
    const g = new AppGraph();
    const [web, api, db] = [node('web', 8080), node('api', 9898, { meshed: true }), node('db', 5432)];
    [web, api, db].forEach((n) => g.recordNode(n));
    g.recordEdge({ from: web, to: api, ports: api.ports });
    g.recordEdge({ from: api, to: db, ports: db.ports });
    g.recordIngress(api, { namespace: 'contour', port: 9898 });
    const policy = workloadPolicy(api, g);
    expect(policy.metadata).toEqual({ name: 'api' });
    // A meshed workload also admits its clients' proxies on Linkerd's inbound port, and the scrapers of its admin port.
    expect(policy.spec?.ingress?.slice(0, 2)).toEqual([
      { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [tcp(9898), tcp(4143)] },
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'contour' } } }],
        ports: [tcp(9898), tcp(4143)],
      },
    ]);
    expect(policy.spec?.egress).toEqual([
      { to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [tcp(5432)] },
    ]);
    expect(workloadPolicy(db, g).spec?.egress).toEqual([]);
  });

  test('the ACME solver policy admits the controllers in name order', () => {
    const ingress = acmeSolverPolicy(['projectcontour', 'ingress-nginx'], 8089).spec?.ingress;
    expect(ingress?.[0].from?.map((p) => p.namespaceSelector?.matchLabels)).toEqual([
      { 'kubernetes.io/metadata.name': 'ingress-nginx' },
      { 'kubernetes.io/metadata.name': 'projectcontour' },
    ]);
  });

  test("a meshed port's callers are its meshed clients, its ingress proxy and its own peers; KEDA is unmeshed", () => {
    const g = new AppGraph();
    const broker = node('broker', 5672, { meshed: true, peerPorts: [{ name: 'peer', port: 25672 }] });
    const [producer, plain] = [node('producer', 8080, { meshed: true }), node('plain', 8081)];
    [broker, producer, plain].forEach((n) => g.recordNode(n));
    g.recordEdge({ from: producer, to: broker, ports: broker.ports });
    g.recordEdge({ from: plain, to: broker, ports: broker.ports });
    g.recordIngress(broker, { namespace: 'contour', port: 5672, identity: INGRESS_IDENTITIES.contour });
    g.recordIngress(broker, { namespace: ADDON_NAMESPACES.keda, port: 5672 });
    expect(meshCallers(g, broker, 'shop')).toEqual([
      { identity: { serviceAccount: 'producer', namespace: 'shop' }, port: 5672 },
      { identity: INGRESS_IDENTITIES.contour, port: 5672 },
      { identity: { serviceAccount: 'broker', namespace: 'shop' }, port: 25672 },
    ]);
    expect(unmeshedPorts(g, broker)).toEqual([5672]);
  });

  test('a meshed port admits exactly its callers; the admin port linkerd-viz; scraped ports the scrapers', () => {
    const api = node('api', 9898, { meshed: true, metricsPorts: [{ name: 'metrics', port: 9797 }] });
    const caller = { identity: { serviceAccount: 'web', namespace: 'shop' }, port: 9898 };
    const objects = workloadAuthorizations(api, [caller, caller]);
    expect(objects.map((o) => `${o.kind}/${o.name}`)).toEqual([
      'Server/api-http',
      'MeshTLSAuthentication/api-http',
      'AuthorizationPolicy/api-http',
      'Server/api-metrics',
      'AuthorizationPolicy/api-metrics-scrapers',
      'Server/api-linkerd-admin',
      'MeshTLSAuthentication/api-linkerd-admin',
      'AuthorizationPolicy/api-linkerd-admin',
      'AuthorizationPolicy/api-linkerd-admin-scrapers',
    ]);
    expect(objects[1].spec).toEqual({ identities: ['web.shop.serviceaccount.identity.linkerd.cluster.local'] });
  });

  test('alerts and dashboards split every OBSERVED_WORKLOADS_PER_OBJECT workloads; prometheus when observed', () => {
    const nodes = Array.from({ length: OBSERVED_WORKLOADS_PER_OBJECT + 1 }, (_, i) => node(`w${i}`));
    expect(observedParts(nodes).map((p) => p.length)).toEqual([OBSERVED_WORKLOADS_PER_OBJECT, 1]);
    expect(observedParts([])).toEqual([]);
    const httpMetrics = DEFAULT_HTTP_METRICS;
    expect(observabilityAddons(nodes, { dashboard: false, httpMetrics })).toEqual([]);
    expect(observabilityAddons(nodes, { dashboard: true, httpMetrics })).toEqual(['prometheus']);
    expect(observabilityAddons([], { dashboard: true, httpMetrics })).toEqual([]);
    const scraped = [node('m', 8080, { metricsPorts: [{ name: 'metrics', port: 9090 }] })];
    expect(observabilityAddons(scraped, { dashboard: false, httpMetrics })).toEqual(['prometheus']);
  });

  test('the index entry sorts every list and merges the derived add-ons', () => {
    const g = new AppGraph();
    g.recordAddons('tempo', 'cert-manager');
    g.recordSecret('b', ['y', 'x'], { generate: true, description: 'b' });
    g.recordSecret('a', ['k'], { generate: false, description: 'a' });
    g.recordHost('z.example.com');
    g.recordHost('a.example.com');
    g.recordStateful({ kind: 'StatefulSet', name: 'db' });
    g.recordStateful({ kind: 'PersistentVolumeClaim', name: 'db-backup' });
    g.recordGatewayHost('plain.example.com', false);
    const facts = { name: 'shop', namespace: 'shop', meshed: false, derivedAddons: ['prometheus', 'tempo'] as Addon[] };
    expect(deriveIndexEntry(g, facts, 'shop.k8s.yaml', 'sha256:0')).toEqual({
      name: 'shop',
      file: 'shop.k8s.yaml',
      namespace: 'shop',
      digest: 'sha256:0',
      secrets: [
        { name: 'a', keys: ['k'], generate: false, description: 'a' },
        { name: 'b', keys: ['x', 'y'], generate: true, description: 'b' },
      ],
      addons: ['cert-manager', 'prometheus', 'tempo'],
      stateful: [
        { kind: 'PersistentVolumeClaim', name: 'db-backup' },
        { kind: 'StatefulSet', name: 'db' },
      ],
      hosts: ['a.example.com', 'z.example.com'],
      meshed: false,
      gatewayHttpsHosts: [],
      gatewayHttpHosts: ['plain.example.com'],
    });
  });
});
