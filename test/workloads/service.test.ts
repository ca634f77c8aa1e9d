import { Service } from '../../platform';
import { find, newChart, synth } from '../helpers';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';

function backend(props: Partial<ConstructorParameters<typeof Service>[2]> = {}) {
  const chart = newChart();
  const svc = new Service(chart, 'backend', { image: IMAGE, port: 9898, ...props });
  return { chart, svc, objects: synth(chart) };
}

describe('Service', () => {
  test('names ports with their protocol and sets appProtocol (h2c for gRPC)', () => {
    const { objects } = backend({ grpcPort: 9999, metrics: { port: 9797 } });
    const ports = find(objects, 'Service', 'backend').spec.ports;
    expect(ports).toEqual([
      { name: 'http', port: 9898, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
      { name: 'grpc', port: 9999, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
      { name: 'http-metrics', port: 9797, targetPort: 'http-metrics', protocol: 'TCP', appProtocol: 'http' },
    ]);
  });

  test('default probes: TCP liveness, HTTP readiness on the port, startup like liveness', () => {
    const c = find(backend().objects, 'Deployment', 'backend').spec.template.spec.containers[0];
    expect(c.livenessProbe.tcpSocket).toEqual({ port: 9898 });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/', port: 9898 });
    expect(c.startupProbe.tcpSocket).toEqual({ port: 9898 });
    expect(c.startupProbe.failureThreshold * c.startupProbe.periodSeconds).toBe(120);
  });

  test('a gRPC service is probed with the gRPC health protocol', () => {
    const c = find(backend({ protocol: 'grpc', port: 9999 }).objects, 'Deployment', 'backend').spec.template.spec
      .containers[0];
    expect(c.readinessProbe.grpc).toEqual({ port: 9999 });
  });

  test('autoscales with an autoscaling/v2 HPA on CPU and memory, and leaves replicas to it', () => {
    const { objects } = backend({ replicas: { min: 3, max: 10, cpuUtilization: 60, memoryUtilization: 80 } });
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'backend');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toMatchObject({
      minReplicas: 3,
      maxReplicas: 10,
      scaleTargetRef: { kind: 'Deployment', name: 'backend' },
    });
    expect(
      hpa.spec.metrics.map((m: { resource: { name: string; target: { averageUtilization: number } } }) => [
        m.resource.name,
        m.resource.target.averageUtilization,
      ]),
    ).toEqual([
      ['cpu', 60],
      ['memory', 80],
    ]);
    expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    expect(find(objects, 'Deployment', 'backend').spec.replicas).toBeUndefined();
  });

  test('a custom Pods metric is added to the HPA', () => {
    const { objects } = backend({
      replicas: { min: 2, max: 4, podsMetrics: [{ name: 'http_requests_per_second', averageValue: '10' }] },
    });
    const metric = find(objects, 'HorizontalPodAutoscaler', 'backend').spec.metrics[1];
    expect(metric).toEqual({
      type: 'Pods',
      pods: { metric: { name: 'http_requests_per_second' }, target: { type: 'AverageValue', averageValue: '10' } },
    });
  });

  test('a replicated service gets a PDB and zone and node topology spread', () => {
    const { objects } = backend();
    expect(find(objects, 'PodDisruptionBudget', 'backend').spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'backend', 'app.kubernetes.io/part-of': 'shop' } },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
    const spread = find(objects, 'Deployment', 'backend').spec.template.spec.topologySpreadConstraints;
    expect(spread.map((s: { topologyKey: string }) => s.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
  });

  test('autoscaling from one replica spreads the pods it adds, with a PDB that never blocks a drain', () => {
    const { objects } = backend({ replicas: { min: 1, max: 4 } });
    expect(find(objects, 'PodDisruptionBudget', 'backend').spec.maxUnavailable).toBe(1);
    const spread = find(objects, 'Deployment', 'backend').spec.template.spec.topologySpreadConstraints;
    expect(spread.map((s: { topologyKey: string }) => s.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
  });

  test('a single fixed replica gets no HPA, no PDB and no spread', () => {
    const { objects } = backend({ replicas: 1 });
    expect(objects.filter((o) => ['HorizontalPodAutoscaler', 'PodDisruptionBudget'].includes(o.kind))).toEqual([]);
    const d = find(objects, 'Deployment', 'backend');
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.template.spec.topologySpreadConstraints).toBeUndefined();
  });

  test('pods meet the restricted profile with a read-only root and a writable /tmp', () => {
    const pod = find(backend().objects, 'Deployment', 'backend').spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'rw-tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'rw-tmp', emptyDir: { sizeLimit: '256Mi' } }]);
  });

  test('sets requests and limits, defaulting what is not given', () => {
    const c = find(backend({ resources: { memory: { limit: '1Gi' } } }).objects, 'Deployment', 'backend').spec.template
      .spec.containers[0];
    expect(c.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '500m', memory: '1Gi', 'ephemeral-storage': '1Gi' },
    });
  });

  test('rolls out with zero unavailable pods', () => {
    expect(find(backend().objects, 'Deployment', 'backend').spec.strategy.rollingUpdate).toEqual({
      maxUnavailable: 0,
      maxSurge: '25%',
    });
  });

  test('env: Secret references first, then literals; ConfigMaps as envFrom', () => {
    const chart = newChart();
    const api = chart.requireSecret('api', ['key'], { generate: false, description: 'API key' });
    new Service(chart, 'backend', {
      image: IMAGE,
      port: 9898,
      env: { LOG_LEVEL: 'info' },
      secretEnv: { API_KEY: api.key },
      configMaps: ['settings'],
    });
    const c = find(synth(chart), 'Deployment', 'backend').spec.template.spec.containers[0];
    expect(c.env).toEqual([
      { name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'api', key: 'key' } } },
      { name: 'LOG_LEVEL', value: 'info' },
    ]);
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'settings' } }]);
  });

  test('connectTo injects the address and records the edge', () => {
    const chart = newChart();
    const api = new Service(chart, 'api', { image: IMAGE, port: 9898 });
    const web = new Service(chart, 'web', { image: IMAGE, port: 8080 }).connectTo(api);
    const env = find(synth(chart), 'Deployment', 'web').spec.template.spec.containers[0].env;
    expect(env).toEqual([
      { name: 'API_HOST', value: 'api.shop.svc.cluster.local' },
      { name: 'API_PORT', value: '9898' },
      { name: 'API_ADDR', value: 'api.shop.svc.cluster.local:9898' },
      { name: 'API_URL', value: 'http://api.shop.svc.cluster.local:9898' },
    ]);
    expect(chart.graphEdges).toEqual([
      { from: web.graphNode, to: api.graphNode, ports: [{ name: 'http', port: 9898 }] },
    ]);
  });
});

describe('Service validation', () => {
  const cases: [string, Partial<ConstructorParameters<typeof Service>[2]>, string][] = [
    [
      'port out of range',
      { port: 70000 },
      'shop/backend: port 70000 is out of range; use an integer port between 1 and 65535',
    ],
    [
      'min > max',
      { replicas: { min: 5, max: 2 } },
      'shop/backend: replicas.min 5 is greater than replicas.max 2; make replicas.min less than or equal to replicas.max',
    ],
    ['unpinned image', { image: 'nginx' }, 'shop/backend: image "nginx" is not pinned to a version'],
    ['latest image', { image: 'nginx:latest' }, 'shop/backend: image "nginx:latest" is not pinned'],
    ['malformed image', { image: 'Nginx:1' }, 'shop/backend: image "Nginx:1" is not a valid image reference'],
    [
      'malformed quantity',
      { resources: { cpu: { request: 'lots' } } },
      'shop/backend: resources.cpu.request "lots" is not a valid Kubernetes quantity; write it like "250m"',
    ],
    [
      'request above limit',
      { resources: { memory: { request: '1Gi', limit: '512Mi' } } },
      'shop/backend: resources.memory.request "1Gi" is more than resources.memory.limit "512Mi"',
    ],
    ['duplicate port', { grpcPort: 9898 }, 'shop/backend: ports has 9898 twice'],
    [
      'bad env name',
      { env: { 'BAD-NAME': 'x' } },
      'shop/backend: env.BAD-NAME "BAD-NAME" is not a valid environment variable name',
    ],
    [
      'CPU target out of range',
      { replicas: { min: 1, max: 2, cpuUtilization: 150 } },
      'shop/backend: replicas.cpuUtilization 150 is not a percentage',
    ],
    ['bad health path', { liveness: { http: 'healthz' } }, 'shop/backend: liveness.http "healthz" is not a path'],
  ];
  test.each(cases)('%s', (_name, props, message) => {
    const chart = newChart();
    expect(() => new Service(chart, 'backend', { image: IMAGE, port: 9898, ...props })).toThrow(message);
  });

  test('an invalid DNS name is rejected', () => {
    expect(() => new Service(newChart(), 'Back_End', { image: IMAGE, port: 80 })).toThrow(
      'shop/Back_End: id "Back_End" is not a valid DNS-1123 label',
    );
  });

  test('a failed construct adds nothing to the chart', () => {
    const chart = newChart();
    const before = synth(chart).length;
    expect(() => new Service(chart, 'backend', { image: IMAGE, port: 0 })).toThrow('port 0 is out of range');
    expect(synth(chart)).toHaveLength(before);
    expect(chart.node.tryFindChild('backend')).toBeUndefined();
  });

  test('two workloads with one name in an app are rejected', () => {
    const chart = newChart();
    new Service(chart, 'api', { image: IMAGE, port: 80 });
    const nested = new Service(chart, 'other', { image: IMAGE, port: 80 });
    expect(() => new Service(nested, 'api', { image: IMAGE, port: 80 })).toThrow(
      'id "api" is already a workload of app shop',
    );
  });

  test('connecting to a workload of another app is rejected', () => {
    const a = newChart();
    const b = newChart();
    const api = new Service(a, 'api', { image: IMAGE, port: 80 });
    const web = new Service(b, 'web', { image: IMAGE, port: 80 });
    expect(() => web.connectTo(api)).toThrow(
      'shop/web: connectTo targets api in app shop; connect workloads of the same app',
    );
  });
});
