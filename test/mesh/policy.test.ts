import { Database, LINKERD_ADMIN_PORT, Route, Service, meshIdentity } from '../../platform';
import type { Obj } from '../helpers';
import { find, findings, newChart, synth } from '../helpers';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';
const identity = (sa: string, ns = 'shop') => meshIdentity({ serviceAccount: sa, namespace: ns });

/** A meshed app: web -> api -> postgres, with an unrelated worker-like service `other`, api routed via nginx. */
function smallGraph(): Obj[] {
  const chart = newChart({ mesh: 'linkerd' });
  const db = new Database(chart, 'postgres', { engine: 'postgres', storage: '1Gi' });
  const api = new Service(chart, 'api', { image: IMAGE, port: 9898 });
  const web = new Service(chart, 'web', { image: IMAGE, port: 8080 });
  new Service(chart, 'other', { image: IMAGE, port: 7070 });
  api.connectTo(db);
  web.connectTo(api);
  new Route(chart, 'public', { host: 'shop.example.com', via: 'nginx', paths: [{ path: '/api', to: api }] });
  return synth(chart);
}

/** The identities the MeshTLSAuthentication of a Server admits. */
function admitted(objects: Obj[], server: string): string[] {
  const policy = objects.find((o) => o.kind === 'AuthorizationPolicy' && o.spec.targetRef.name === server);
  if (!policy) return [];
  return policy.spec.requiredAuthenticationRefs.flatMap(
    (ref: Obj) => find(objects, ref.kind, ref.name).spec.identities ?? [],
  );
}

describe('Linkerd authorization from the app graph', () => {
  test('a Server selects each port of each meshed workload', () => {
    const objects = smallGraph();
    const api = find(objects, 'Server', 'api-http');
    expect(api.apiVersion).toBe('policy.linkerd.io/v1beta3');
    expect(api.spec).toEqual({
      podSelector: { matchLabels: find(objects, 'Deployment', 'api').spec.selector.matchLabels },
      port: 9898,
      proxyProtocol: 'unknown',
    });
  });

  test('a database port is served as opaque', () => {
    expect(find(smallGraph(), 'Server', 'postgres-postgres').spec.proxyProtocol).toBe('opaque');
  });

  test('a port admits exactly the identities of its callers in the graph, and the ingress controller', () => {
    const objects = smallGraph();
    expect(admitted(objects, 'api-http')).toEqual([identity('ingress-nginx', 'ingress-nginx'), identity('web')]);
    // The database's backup job calls it too, by its own identity.
    expect(admitted(objects, 'postgres-postgres')).toEqual([identity('api'), identity('postgres-backup')]);
  });

  test('an undeclared caller is denied: a port nobody calls has no authorization at all', () => {
    const objects = smallGraph();
    expect(admitted(objects, 'api-http')).not.toContain(identity('other'));
    expect(find(objects, 'Server', 'other-http')).toBeDefined();
    expect(objects.filter((o) => o.kind === 'AuthorizationPolicy' && o.spec.targetRef.name === 'other-http')).toEqual(
      [],
    );
  });

  test('the proxy admin port admits linkerd-viz by identity and the platform Prometheus by network', () => {
    const objects = smallGraph();
    const admin = find(objects, 'Server', 'api-linkerd-admin');
    expect(admin.spec.port).toBe(LINKERD_ADMIN_PORT);
    expect(admitted(objects, 'api-linkerd-admin')).toEqual([identity('prometheus', 'linkerd-viz')]);
    const network = objects.filter(
      (o) =>
        o.kind === 'AuthorizationPolicy' &&
        o.spec.targetRef.name === 'api-linkerd-admin' &&
        o.spec.requiredAuthenticationRefs[0].kind === 'NetworkAuthentication',
    );
    expect(network).toHaveLength(1);
  });

  test('a metrics port admits the platform Prometheus (unmeshed) by network, as its NetworkPolicy does', () => {
    const chart = newChart({ mesh: 'linkerd' });
    new Service(chart, 'api', { image: IMAGE, port: 9898, metrics: { port: 9797 } });
    const objects = synth(chart);
    expect(find(objects, 'Server', 'api-http-metrics').spec.port).toBe(9797);
    const policies = objects.filter(
      (o) => o.kind === 'AuthorizationPolicy' && o.spec.targetRef.name === 'api-http-metrics',
    );
    expect(policies.map((p) => p.spec.requiredAuthenticationRefs)).toEqual([
      [{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'prometheus-scrapers' }],
    ]);
  });

  test('the meshed namespace denies by default', () => {
    const ns = find(smallGraph(), 'Namespace', 'shop');
    expect(ns.metadata.annotations['config.linkerd.io/default-inbound-policy']).toBe('deny');
  });

  test('an app without a mesh gets no Linkerd policy objects', () => {
    const chart = newChart();
    new Service(chart, 'api', { image: IMAGE, port: 9898 });
    expect(synth(chart).filter((o) => String(o.apiVersion).startsWith('policy.linkerd.io'))).toEqual([]);
  });

  test('a meshed server called by a workload outside the mesh is an error with the fix', () => {
    const chart = newChart({ mesh: 'linkerd' });
    const api = new Service(chart, 'api', { image: IMAGE, port: 9898 });
    const plain = new Service(chart, 'plain', { image: IMAGE, port: 8080, mesh: false });
    expect(() => plain.connectTo(api)).toThrow(
      'shop/plain: connectTo targets meshed api from outside the mesh, which Linkerd would refuse; ' +
        'mesh the caller, or opt api out of the mesh too (mesh: false)',
    );
  });

  test('the policy objects validate against their CRD schemas', () => {
    const objects = smallGraph().filter((o) => String(o.apiVersion).startsWith('policy.linkerd.io'));
    expect(objects.length).toBeGreaterThan(0);
    expect(findings(objects)).toEqual([]);
  });
});
