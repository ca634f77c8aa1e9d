import type { PlatformChart } from '../../platform';
import {
  DEFAULT_PROXY_RESOURCES,
  Database,
  LINKERD_ADMIN_PORT,
  LINKERD_INJECT_ANNOTATION,
  LINKERD_OPAQUE_PORTS_ANNOTATION,
  Service,
  Worker,
} from '../../platform';
import type { Obj } from '../helpers';
import { find, findings, newChart, synth } from '../helpers';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';

/** Pod template annotations of a Deployment or StatefulSet. */
function podAnnotations(objects: Obj[], kind: string, name: string): Record<string, string> {
  return find(objects, kind, name).spec.template.metadata.annotations ?? {};
}

/** The ports (numbers) a NetworkPolicy admits from a namespace. */
function admittedFrom(objects: Obj[], workload: string, namespace: string): number[] {
  return find(objects, 'NetworkPolicy', workload)
    .spec.ingress.filter((rule: Obj) =>
      rule.from.some((peer: Obj) => peer.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === namespace),
    )
    .flatMap((rule: Obj) => rule.ports.map((p: Obj) => p.port));
}

function meshedApp(props: Parameters<typeof newChart>[0] = {}): PlatformChart {
  return newChart({ mesh: 'linkerd', ...props });
}

describe('Linkerd injection', () => {
  test('namespace injection (the default) annotates the namespace, not the pods', () => {
    const chart = meshedApp();
    new Service(chart, 'api', { image: IMAGE, port: 9898 });
    const objects = synth(chart);
    expect(find(objects, 'Namespace', 'shop').metadata.annotations).toEqual({
      [LINKERD_INJECT_ANNOTATION]: 'enabled',
      'config.linkerd.io/default-inbound-policy': 'deny',
    });
    expect(podAnnotations(objects, 'Deployment', 'api')).not.toHaveProperty(LINKERD_INJECT_ANNOTATION);
    expect(chart.indexEntry('x', 'y').meshed).toBe(true);
  });

  test('workload injection leaves the namespace uninjected and annotates each meshed pod template', () => {
    const chart = meshedApp({ meshInjection: 'workload' });
    new Service(chart, 'api', { image: IMAGE, port: 9898 });
    new Database(chart, 'db', { engine: 'postgres' });
    const objects = synth(chart);
    const ns = find(objects, 'Namespace', 'shop');
    // Only the default inbound policy, which applies to meshed pods alone.
    expect(ns.metadata.annotations).toEqual({ 'config.linkerd.io/default-inbound-policy': 'deny' });
    // The Linkerd CNI plugin sets up the proxy's iptables: no pod needs NET_ADMIN, so restricted is enforced.
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(podAnnotations(objects, 'Deployment', 'api')[LINKERD_INJECT_ANNOTATION]).toBe('enabled');
    expect(podAnnotations(objects, 'StatefulSet', 'db')[LINKERD_INJECT_ANNOTATION]).toBe('enabled');
    // index.json's `meshed` is the namespace annotation Pulumi sets; Linkerd is still installed for the pods.
    const entry = chart.indexEntry('x', 'y');
    expect(entry.meshed).toBe(false);
    expect(entry.addons).toEqual(expect.arrayContaining(['linkerd', 'linkerd-viz']));
  });

  test.each(['namespace', 'workload'] as const)('with %s injection a workload opts out with mesh: false', (mode) => {
    const chart = meshedApp({ meshInjection: mode });
    new Service(chart, 'legacy', { image: IMAGE, port: 8080, mesh: false });
    const objects = synth(chart);
    expect(podAnnotations(objects, 'Deployment', 'legacy')).toEqual({ [LINKERD_INJECT_ANNOTATION]: 'disabled' });
    expect(admittedFrom(objects, 'legacy', 'linkerd-viz')).toEqual([]);
  });

  test('a meshed app records linkerd and linkerd-viz (golden metrics per workload); an unmeshed one neither', () => {
    expect(meshedApp().indexEntry('x', 'y').addons).toEqual(expect.arrayContaining(['linkerd', 'linkerd-viz']));
    expect(newChart().indexEntry('x', 'y').addons).not.toEqual(expect.arrayContaining(['linkerd']));
    expect(newChart().indexEntry('x', 'y').addons).not.toEqual(expect.arrayContaining(['linkerd-viz']));
  });

  test('an unmeshed app puts no Linkerd annotation anywhere', () => {
    const chart = newChart();
    new Service(chart, 'api', { image: IMAGE, port: 9898 });
    new Database(chart, 'db', { engine: 'mongodb' });
    const text = JSON.stringify(synth(chart));
    expect(text).not.toContain('linkerd.io');
  });
});

describe('Linkerd proxy resources', () => {
  test('every meshed pod gets the default proxy requests and limits', () => {
    const chart = meshedApp();
    new Service(chart, 'api', { image: IMAGE, port: 9898 });
    expect(podAnnotations(synth(chart), 'Deployment', 'api')).toEqual({
      'config.linkerd.io/proxy-cpu-request': '100m',
      'config.linkerd.io/proxy-cpu-limit': '1',
      'config.linkerd.io/proxy-memory-request': '20Mi',
      'config.linkerd.io/proxy-memory-limit': '250Mi',
    });
    expect(DEFAULT_PROXY_RESOURCES.cpu).toEqual({ request: '100m', limit: '1' });
  });

  test('the app sets the default and a workload overrides part of it', () => {
    const chart = meshedApp({ meshProxy: { cpu: { request: '50m', limit: '500m' }, memory: { limit: '128Mi' } } });
    new Service(chart, 'api', { image: IMAGE, port: 9898 });
    new Worker(chart, 'busy', {
      image: IMAGE,
      liveness: { exec: ['true'] },
      mesh: { proxy: { cpu: { limit: '2' } } },
    });
    const objects = synth(chart);
    expect(podAnnotations(objects, 'Deployment', 'api')).toMatchObject({
      'config.linkerd.io/proxy-cpu-request': '50m',
      'config.linkerd.io/proxy-cpu-limit': '500m',
      'config.linkerd.io/proxy-memory-request': '20Mi',
      'config.linkerd.io/proxy-memory-limit': '128Mi',
    });
    expect(podAnnotations(objects, 'Deployment', 'busy')).toMatchObject({
      'config.linkerd.io/proxy-cpu-request': '50m',
      'config.linkerd.io/proxy-cpu-limit': '2',
      'config.linkerd.io/proxy-memory-limit': '128Mi',
    });
  });

  test('a database sizes its proxy like any workload', () => {
    const chart = meshedApp();
    new Database(chart, 'db', { engine: 'redis', mesh: { proxy: { memory: { request: '32Mi' } } } });
    expect(podAnnotations(synth(chart), 'StatefulSet', 'db')['config.linkerd.io/proxy-memory-request']).toBe('32Mi');
  });
});

describe('opaque ports', () => {
  test('a meshed database marks its server port opaque on the pod and both Services, not the metrics port', () => {
    const chart = meshedApp();
    new Database(chart, 'db', { engine: 'mongodb' });
    const objects = synth(chart);
    expect(podAnnotations(objects, 'StatefulSet', 'db')[LINKERD_OPAQUE_PORTS_ANNOTATION]).toBe('27017');
    for (const name of ['db', 'db-headless']) {
      expect(find(objects, 'Service', name).metadata.annotations).toEqual({
        [LINKERD_OPAQUE_PORTS_ANNOTATION]: '27017',
      });
    }
  });

  test("a database that opts out keeps the Services' annotation for its meshed clients, not the pod's", () => {
    const chart = meshedApp();
    new Database(chart, 'db', { engine: 'mysql', mesh: false });
    const objects = synth(chart);
    expect(podAnnotations(objects, 'StatefulSet', 'db')).toEqual({ [LINKERD_INJECT_ANNOTATION]: 'disabled' });
    expect(find(objects, 'Service', 'db').metadata.annotations).toEqual({ [LINKERD_OPAQUE_PORTS_ANNOTATION]: '3306' });
  });

  test('HTTP and gRPC services keep protocol detection (no opaque port)', () => {
    const chart = meshedApp();
    new Service(chart, 'api', { image: IMAGE, port: 9898, grpcPort: 9999, metrics: { port: 9797 } });
    const objects = synth(chart);
    expect(podAnnotations(objects, 'Deployment', 'api')).not.toHaveProperty(LINKERD_OPAQUE_PORTS_ANNOTATION);
    expect(find(objects, 'Service', 'api').metadata.annotations).toBeUndefined();
  });
});

describe('proxy metrics in the NetworkPolicy', () => {
  test('Prometheus (monitoring) and linkerd-viz may scrape the proxy admin port of a meshed workload', () => {
    const chart = meshedApp();
    new Service(chart, 'api', { image: IMAGE, port: 9898, metrics: { port: 9797 } });
    new Service(chart, 'web', { image: IMAGE, port: 8080 });
    const objects = synth(chart);
    expect(admittedFrom(objects, 'api', 'monitoring')).toEqual([9797, LINKERD_ADMIN_PORT]);
    expect(admittedFrom(objects, 'web', 'monitoring')).toEqual([LINKERD_ADMIN_PORT]);
    expect(admittedFrom(objects, 'web', 'linkerd-viz')).toEqual([LINKERD_ADMIN_PORT]);
    const rule = find(objects, 'NetworkPolicy', 'web').spec.ingress[0];
    expect(rule.from).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      },
    ]);
  });

  test('an unmeshed workload opens only its own metrics port to Prometheus', () => {
    const chart = newChart();
    new Service(chart, 'api', { image: IMAGE, port: 9898, metrics: { port: 9797 } });
    expect(admittedFrom(synth(chart), 'api', 'monitoring')).toEqual([9797]);
  });

  test('the objects of a meshed app pass the schemas and policy rules', () => {
    const chart = meshedApp({ meshInjection: 'workload' });
    const db = new Database(chart, 'db', { engine: 'postgres' });
    new Service(chart, 'api', { image: IMAGE, port: 9898, metrics: { port: 9797 } }).connectTo(db);
    expect(findings(synth(chart))).toEqual([]);
  });
});

describe('mesh validation', () => {
  test.each([
    [{ mesh: 'istio' as 'linkerd' }, 'shop: mesh "istio" is not a supported mesh; use "linkerd" or "none"'],
    [
      { meshInjection: 'workload' as const },
      'shop: meshInjection is set but the app is not meshed; set mesh: "linkerd"',
    ],
    [{ meshProxy: { cpu: { limit: '1' } } }, 'shop: meshProxy is set but the app is not meshed; set mesh: "linkerd"'],
    [
      { mesh: 'linkerd' as const, meshInjection: 'pod' as 'workload' },
      'shop: meshInjection "pod" is not an injection mode; use one of namespace, workload',
    ],
    [
      { mesh: 'linkerd' as const, meshProxy: { memory: { limit: 'lots' } } },
      'shop: meshProxy.memory.limit "lots" is not a valid Kubernetes quantity; write it like "512Mi"',
    ],
  ])('bad app mesh props are rejected: %j', (props, message) => {
    expect(() => newChart(props)).toThrow(message);
  });

  test('a proxy request above its limit is rejected', () => {
    const chart = meshedApp();
    expect(
      () => new Service(chart, 'api', { image: IMAGE, port: 9898, mesh: { proxy: { cpu: { request: '2' } } } }),
    ).toThrow('shop/api: mesh.proxy.cpu.request "2" is more than mesh.proxy.cpu.limit "1"; lower the request');
  });

  test('proxy options on a workload of an unmeshed app are rejected', () => {
    expect(
      () => new Service(newChart(), 'api', { image: IMAGE, port: 9898, mesh: { proxy: { cpu: { limit: '2' } } } }),
    ).toThrow('shop/api: mesh.proxy is set but app shop is not meshed; set mesh: "linkerd" on its PlatformChart');
  });

  test('podAnnotations may not set the annotations the platform manages', () => {
    const chart = meshedApp();
    expect(
      () =>
        new Service(chart, 'api', {
          image: IMAGE,
          port: 9898,
          podAnnotations: { [LINKERD_INJECT_ANNOTATION]: 'disabled' },
        }),
    ).toThrow('shop/api: podAnnotations.linkerd.io/inject is managed by the platform; use mesh: false to opt out');
    expect(
      () =>
        new Service(chart, 'web', {
          image: IMAGE,
          port: 8080,
          podAnnotations: { 'config.linkerd.io/proxy-cpu-limit': '2', 'example.com/team': 'web' },
        }),
    ).toThrow('shop/web: podAnnotations.config.linkerd.io/proxy-cpu-limit is managed by the platform');
  });
});
