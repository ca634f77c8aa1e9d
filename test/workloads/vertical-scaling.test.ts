import type { ServiceProps, VerticalScaling } from '../../platform';
import { Database, Service, Worker } from '../../platform';
import type { Obj } from '../helpers';
import { find, findings, newChart, synth } from '../helpers';
import { VPA_CONTROLLED_VALUES } from '../../platform/workloads/vertical-scaling';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';

function vpaOf(props: Partial<ServiceProps>): Obj {
  const chart = newChart();
  new Service(chart, 'api', { image: IMAGE, port: 9898, ...props });
  return find(synth(chart), 'VerticalPodAutoscaler', 'api');
}

/** The policy of the main container. */
function mainPolicy(vpa: Obj): Obj {
  return vpa.spec.resourcePolicy.containerPolicies[0];
}

describe('vertical autoscaling', () => {
  test('a Service gets a VPA on its Deployment that sizes only its own container, in Recreate mode', () => {
    const chart = newChart();
    const api = new Service(chart, 'api', {
      image: IMAGE,
      port: 9898,
      replicas: 3,
      verticalScaling: { minAllowed: { cpu: '50m', memory: '64Mi' }, maxAllowed: { cpu: '2', memory: '2Gi' } },
    });
    const objects = synth(chart);
    const vpa = find(objects, 'VerticalPodAutoscaler', 'api');
    expect(vpa.apiVersion).toBe('autoscaling.k8s.io/v1');
    expect(vpa.spec).toEqual({
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
      updatePolicy: { updateMode: 'Recreate' },
      resourcePolicy: {
        containerPolicies: [
          {
            containerName: 'api',
            controlledResources: ['cpu', 'memory'],
            controlledValues: 'RequestsAndLimits',
            minAllowed: { cpu: '50m', memory: '64Mi' },
            maxAllowed: { cpu: '2', memory: '2Gi' },
          },
          // The Linkerd proxy and any other container keep their own resources.
          { containerName: '*', mode: 'Off' },
        ],
      },
    });
    expect(api.verticalAutoscaler).toBeDefined();
    expect(VPA_CONTROLLED_VALUES).toBe('RequestsAndLimits');
    expect(chart.indexEntry('x', 'y').addons).toContain('vpa');
    expect(findings(objects)).toEqual([]);
  });

  test('with the HPA on CPU (the default), the VPA sizes memory only', () => {
    expect(mainPolicy(vpaOf({ verticalScaling: {} })).controlledResources).toEqual(['memory']);
  });

  test('in Off mode the VPA only recommends, so it covers both resources even beside the HPA', () => {
    const vpa = vpaOf({ replicas: { min: 2, max: 6, memoryUtilization: 80 }, verticalScaling: { mode: 'Off' } });
    expect(vpa.spec.updatePolicy).toEqual({ updateMode: 'Off' });
    expect(mainPolicy(vpa).controlledResources).toEqual(['cpu', 'memory']);
  });

  test('a HPA scaling on a custom metric only leaves memory to the VPA like any HPA (CPU is always a target)', () => {
    const vpa = vpaOf({
      replicas: { min: 2, max: 6, podsMetrics: [{ name: 'http_requests_per_second', averageValue: '10' }] },
      verticalScaling: { mode: 'InPlaceOrRecreate', resources: ['memory'] },
    });
    expect(vpa.spec.updatePolicy).toEqual({ updateMode: 'InPlaceOrRecreate' });
    expect(mainPolicy(vpa).controlledResources).toEqual(['memory']);
  });

  test('a Worker gets a VPA too', () => {
    const chart = newChart();
    new Worker(chart, 'consumer', {
      image: IMAGE,
      liveness: { exec: ['true'] },
      replicas: 1,
      verticalScaling: { mode: 'Initial', resources: ['cpu'] },
    });
    const vpa = find(synth(chart), 'VerticalPodAutoscaler', 'consumer');
    expect(vpa.spec.updatePolicy).toEqual({ updateMode: 'Initial' });
    expect(mainPolicy(vpa)).toEqual({
      containerName: 'consumer',
      controlledResources: ['cpu'],
      controlledValues: 'RequestsAndLimits',
    });
  });

  test('no verticalScaling, no VPA and no vpa add-on', () => {
    const chart = newChart();
    new Service(chart, 'api', { image: IMAGE, port: 9898 });
    expect(synth(chart).filter((o) => o.kind === 'VerticalPodAutoscaler')).toEqual([]);
    expect(chart.indexEntry('x', 'y').addons).not.toContain('vpa');
  });

  test('a Database gets a recommending VPA on its StatefulSet that leaves the exporter alone', () => {
    const chart = newChart();
    new Database(chart, 'db', { engine: 'postgres', verticalScaling: { maxAllowed: { memory: '4Gi' } } });
    const objects = synth(chart);
    const vpa = find(objects, 'VerticalPodAutoscaler', 'db');
    expect(vpa.spec.targetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' });
    expect(vpa.spec.updatePolicy).toEqual({ updateMode: 'Off' });
    expect(vpa.spec.resourcePolicy.containerPolicies).toEqual([
      expect.objectContaining({ containerName: 'db', controlledResources: ['cpu', 'memory'] }),
      { containerName: '*', mode: 'Off' },
    ]);
    expect(chart.indexEntry('x', 'y').addons).toContain('vpa');
    expect(findings(objects)).toEqual([]);
  });

  test('a Database may apply recommendations when its pod is next created', () => {
    const chart = newChart();
    new Database(chart, 'db', { engine: 'redis', verticalScaling: { mode: 'Initial' } });
    expect(find(synth(chart), 'VerticalPodAutoscaler', 'db').spec.updatePolicy).toEqual({ updateMode: 'Initial' });
  });

  test('the VPA validates against its CRD (the check is live)', () => {
    const vpa = vpaOf({ replicas: 1, verticalScaling: {} });
    vpa.spec.updatePolicy.updateMode = 'Sometimes';
    expect(findings([vpa])).toEqual([
      expect.objectContaining({ object: 'VerticalPodAutoscaler/shop/api', rule: 'crd-schema' }),
    ]);
  });
});

describe('verticalScaling validation', () => {
  test.each<[Partial<ServiceProps>, string]>([
    [
      { replicas: { min: 2, max: 5, memoryUtilization: 80 }, verticalScaling: {} },
      'verticalScaling has no resource left to size: the HPA scales on both CPU and memory utilization; drop replicas.memoryUtilization',
    ],
    [
      { verticalScaling: { resources: ['cpu'] } },
      'verticalScaling.resources[0] "cpu" is also scaled by the HPA (cpu utilization), and the two would fight; leave cpu to the HPA',
    ],
    [
      { replicas: { min: 2, max: 5, memoryUtilization: 80 }, verticalScaling: { resources: ['memory'] } },
      'verticalScaling.resources[0] "memory" is also scaled by the HPA (memory utilization)',
    ],
    [
      { verticalScaling: { mode: 'Auto' as 'Off' } },
      'verticalScaling.mode "Auto" is not allowed; use one of "Off", "Initial", "Recreate", "InPlaceOrRecreate"',
    ],
    [
      { replicas: 1, verticalScaling: { resources: [] } },
      'verticalScaling.resources is empty; list "cpu", "memory" or both',
    ],
    [
      { replicas: 1, verticalScaling: { resources: ['gpu' as 'cpu'] } },
      'verticalScaling.resources[0] "gpu" is not a resource',
    ],
    [{ replicas: 1, verticalScaling: { resources: ['cpu', 'cpu'] } }, 'verticalScaling.resources has "cpu" twice'],
    [
      { replicas: 1, verticalScaling: { minAllowed: { memory: '2Gi' }, maxAllowed: { memory: '1Gi' } } },
      'verticalScaling.minAllowed.memory "2Gi" is more than verticalScaling.maxAllowed.memory "1Gi"',
    ],
    [
      { replicas: 1, verticalScaling: { maxAllowed: { cpu: 'two' } } },
      'verticalScaling.maxAllowed.cpu "two" is not a valid Kubernetes quantity; write it like "250m"',
    ],
    [
      { verticalScaling: { maxAllowed: { cpu: '2' } } },
      'verticalScaling.maxAllowed.cpu is set but the VPA does not size cpu; remove it, or add "cpu" to verticalScaling.resources',
    ],
    [
      { replicas: 1, verticalScaling: { minAllowed: { storage: '1Gi' } as VerticalScaling['minAllowed'] } },
      'verticalScaling.minAllowed.storage is not a resource',
    ],
  ])('%j is rejected', (props, message) => {
    expect(() => vpaOf(props)).toThrow(`shop/api: ${message}`);
  });

  test('a Database refuses modes that evict or resize its only replica', () => {
    expect(() => new Database(newChart(), 'db', { engine: 'mysql', verticalScaling: { mode: 'Recreate' } })).toThrow(
      'shop/db: verticalScaling.mode "Recreate" is not allowed; use "Off" (recommendations only) or "Initial" (applied at the next restart)',
    );
  });

  test('a Worker is checked against its HPA too', () => {
    expect(
      () =>
        new Worker(newChart(), 'consumer', {
          image: IMAGE,
          liveness: { exec: ['true'] },
          verticalScaling: { resources: ['cpu', 'memory'] },
        }),
    ).toThrow('shop/consumer: verticalScaling.resources[0] "cpu" is also scaled by the HPA');
  });
});
