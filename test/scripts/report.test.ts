import { formatBytes, formatCpu, parseQuantity } from '../../scripts/lib/quantity';
import { buildReport, exposedHosts, parseNodeSize, renderMarkdown } from '../../scripts/lib/report';
import type { KubeObject } from '../../scripts/lib/manifests';
import { clone, goodDeployment, manifests, podSpec } from './fixtures';

const NODE = { cpu: 2, memory: 8 * 2 ** 30, headroom: 0.25 };
const Mi = 2 ** 20;
const Gi = 2 ** 30;

describe('quantities', () => {
  it.each([
    ['100m', 0.1],
    ['2', 2],
    ['0.5', 0.5],
    ['128Mi', 128 * Mi],
    ['1G', 1e9],
    ['1.5Gi', 1.5 * Gi],
    ['1e3', 1000],
    ['250u', 0.00025],
  ])('parses %s', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 12);
  });

  it('rejects a malformed quantity, naming it', () => {
    expect(() => parseQuantity('12 cores')).toThrow('"12 cores" is not a Kubernetes quantity');
  });

  it('formats CPU as millicores below one core and cores above', () => {
    expect([formatCpu(0.25), formatCpu(1.5), formatCpu(0)]).toEqual(['250m', '1.5', '0']);
  });

  it('formats bytes in binary units', () => {
    expect([formatBytes(512 * Mi), formatBytes(1.5 * Gi), formatBytes(10 * Gi)]).toEqual(['512Mi', '1.5Gi', '10Gi']);
  });
});

function hpa(name: string, min: number, max: number): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name, namespace: 'shop' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: min, maxReplicas: max },
  };
}

function database(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'shop' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: {
          initContainers: [
            { name: 'init', image: 'busybox:1.36', resources: { requests: { cpu: '1', memory: '64Mi' } } },
          ],
          containers: [
            {
              name: 'db',
              image: 'postgres:16.4',
              resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
            },
          ],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '10Gi' } } } }],
    },
  };
}

describe('buildReport', () => {
  it('uses the HPA bounds as min and max replicas', () => {
    const d = goodDeployment();
    delete (d.spec as Record<string, unknown>).replicas;
    const r = buildReport(manifests(d, hpa('web', 3, 10)), { node: NODE });
    expect(r.apps[0].pods).toEqual({ min: 3, max: 10 });
    expect(r.apps[0].atMin.cpuRequest).toBeCloseTo(0.3);
    expect(r.apps[0].atMax.memoryLimit).toBe(10 * 256 * Mi);
  });

  it('counts an init container larger than the app containers as the pod request', () => {
    const r = buildReport(manifests(database()), { node: NODE });
    expect(r.apps[0].workloads[0].perPod.cpuRequest).toBe(1);
    expect(r.apps[0].workloads[0].perPod.memoryRequest).toBe(1 * Gi);
  });

  it('adds volumeClaimTemplates once per replica to the storage', () => {
    expect(buildReport(manifests(database()), { node: NODE }).total.storage).toBe(20 * Gi);
  });

  it('adds an estimated Linkerd proxy to pods of a namespace annotated for injection', () => {
    const ns: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop', annotations: { 'linkerd.io/inject': 'enabled' } },
    };
    const r = buildReport(manifests(ns, goodDeployment()), { node: NODE });
    expect(r.apps[0].workloads[0].meshed).toBe(true);
    expect(r.apps[0].workloads[0].perPod.memoryRequest).toBe(128 * Mi + 20 * Mi);
  });

  it('does not add a proxy to a pod that opts out of injection', () => {
    const ns: KubeObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop', annotations: { 'linkerd.io/inject': 'enabled' } },
    };
    const d = goodDeployment();
    (d.spec as { template: { metadata: Record<string, unknown> } }).template.metadata.annotations = {
      'linkerd.io/inject': 'disabled',
    };
    expect(buildReport(manifests(ns, d), { node: NODE }).apps[0].workloads[0].meshed).toBe(false);
  });

  it('collects hosts from Ingress, HTTPProxy and Gateway API routes', () => {
    const ingress: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'i' },
      spec: { rules: [{ host: 'a.example.com' }] },
    };
    const proxy: KubeObject = {
      apiVersion: 'projectcontour.io/v1',
      kind: 'HTTPProxy',
      metadata: { name: 'p' },
      spec: { virtualhost: { fqdn: 'b.example.com' } },
    };
    const route: KubeObject = {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'r' },
      spec: { hostnames: ['c.example.com'] },
    };
    const linkerdRoute: KubeObject = {
      apiVersion: 'policy.linkerd.io/v1beta3',
      kind: 'HTTPRoute',
      metadata: { name: 'l' },
      spec: { hostnames: ['internal'] },
    };
    expect([ingress, proxy, route, linkerdRoute].flatMap(exposedHosts)).toEqual([
      'a.example.com',
      'b.example.com',
      'c.example.com',
    ]);
  });

  it('sizes the cluster from the requests and the usable part of a node', () => {
    // 10 pods × 1 CPU = 10 CPU; a 2-CPU node with 25% headroom gives 1.5 CPU: 7 nodes.
    const d = goodDeployment();
    (d.spec as Record<string, unknown>).replicas = 10;
    podSpec(d).containers[0].resources = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } };
    const r = buildReport(manifests(d), { node: NODE });
    expect(r.nodesMax).toEqual({ nodes: 7, boundBy: 'cpu' });
  });

  it('adds the platform add-on requests given to the node estimate', () => {
    // 0.2 CPU of pods + 2.9 CPU of add-ons = 3.1 CPU over 1.5 usable per node: 3 nodes.
    const r = buildReport(manifests(goodDeployment()), { node: NODE, addons: { cpu: 2.9, memory: Gi } });
    expect(r.nodesMin).toEqual({ nodes: 3, boundBy: 'cpu' });
  });

  it('warns about a pod larger than a node', () => {
    const d = goodDeployment();
    podSpec(d).containers[0].resources = { requests: { cpu: '4', memory: '1Gi' }, limits: { cpu: '4', memory: '1Gi' } };
    expect(buildReport(manifests(d), { node: NODE }).oversized).toEqual(['test: Deployment/shop/web']);
  });

  it('renders Markdown with a per-app row, a total row and the node count', () => {
    const md = renderMarkdown(buildReport(manifests(clone(goodDeployment()), database()), { node: NODE }));
    expect(md).toContain('| test | 4 | 2.2 | 3 | 2.25Gi | 4.5Gi | 20Gi | — |');
    expect(md).toContain('| **total** | 4 |');
    expect(md).toMatch(/\| min \| 2 \| cpu \|/);
  });
});

describe('parseNodeSize', () => {
  it('parses quantities and rejects a headroom outside [0, 1)', () => {
    expect(parseNodeSize('4', '16Gi', '0.2')).toEqual({ cpu: 4, memory: 16 * Gi, headroom: 0.2 });
    expect(() => parseNodeSize('4', '16Gi', '1.5')).toThrow(/headroom 1.5/);
  });
});
