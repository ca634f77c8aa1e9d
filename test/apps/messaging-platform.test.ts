import {
  LOAD_GENERATOR_SHORTFALL_METRIC,
  USER_CREATION_RATE,
  USER_CREATIONS_PER_REPLICA,
  USER_CREATIONS_QUEUE,
  USER_SERVICE_RATE_METRIC,
  messagingPlatform,
} from '../../apps/messaging-platform';
import { find, findings } from '../helpers';
import { buildApp } from './build';
import type { Obj } from '../helpers';
import { namespaceSources, podEdges } from './policy-edges';

const build = (context: Record<string, string> = {}) => buildApp(messagingPlatform, context);

const { chart, objects, names } = build();
const SERVICES = ['user-service', 'message-service', 'load-generator', 'message-user-ui', 'load-generator-ui'];
const hpaMetrics = (name: string) =>
  find(objects, 'HorizontalPodAutoscaler', name).spec.metrics.map((m: Obj) =>
    m.type === 'Resource'
      ? `${m.resource.name} ${m.resource.target.averageUtilization}%`
      : `${m.pods.metric.name} ${m.pods.target.averageValue}`,
  );

describe('messaging-platform', () => {
  test('every object passes the Kubernetes and CRD schemas and the policy checks', () => {
    expect(findings(objects)).toEqual([]);
  });

  test('runs the three services, two UIs and the user creator as Deployments, PostgreSQL, Redis and RabbitMQ as StatefulSets', () => {
    expect(names('Deployment')).toEqual([...SERVICES, 'user-creator'].sort());
    expect(names('StatefulSet')).toEqual(['postgres', 'rabbitmq', 'redis']);
    expect(find(objects, 'StatefulSet', 'rabbitmq').spec.template.spec.containers[0].image).toMatch(/^rabbitmq:/);
    expect(find(objects, 'StatefulSet', 'postgres').spec.template.spec.containers[0].image).toMatch(/^postgres:/);
    expect(find(objects, 'StatefulSet', 'redis').spec.template.spec.containers[0].image).toMatch(/^redis:/);
  });

  test('user-service scales on CPU and on its request rate (a custom metric from prometheus-adapter)', () => {
    expect(USER_SERVICE_RATE_METRIC).toBe('http_requests_per_second');
    expect(hpaMetrics('user-service')).toEqual(['cpu 70%', 'http_requests_per_second 100']);
    expect(find(objects, 'HorizontalPodAutoscaler', 'user-service').spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 10,
    });
  });

  test('the load generator scales out when it falls short of its rate, from a single pod', () => {
    expect(LOAD_GENERATOR_SHORTFALL_METRIC).toBe('load_generator_missed_requests_per_second');
    expect(hpaMetrics('load-generator')).toEqual(['cpu 70%', `${LOAD_GENERATOR_SHORTFALL_METRIC} 1`]);
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'load-generator');
    expect(hpa.spec).toMatchObject({ minReplicas: 1, maxReplicas: 5 });
    const pod = find(objects, 'Deployment', 'load-generator').spec.template.spec;
    expect(pod.topologySpreadConstraints.map((c: Obj) => c.topologyKey)).toContain('kubernetes.io/hostname');
    // It may run up to five pods: a PDB keeps a drain from evicting two at once (maxUnavailable 1 never blocks).
    expect(find(objects, 'PodDisruptionBudget', 'load-generator').spec.maxUnavailable).toBe(1);
  });

  test('workloads reach exactly their dependencies', () => {
    expect(podEdges(objects)).toEqual([
      'load-generator -> user-service:9898',
      'message-service -> postgres:5432',
      'message-service -> user-service:9898',
      'postgres-backup -> postgres:5432',
      'redis-backup -> redis:6379',
      'user-creator -> postgres:5432',
      'user-creator -> rabbitmq:5672',
      'user-service -> postgres:5432',
      'user-service -> rabbitmq:5672',
      'user-service -> redis:6379',
    ]);
  });

  test('asynchronous user creation: user-service publishes, user-creator consumes and scales on the queue with KEDA', () => {
    const env = (name: string) => find(objects, 'Deployment', name).spec.template.spec.containers[0].env as Obj[];
    for (const client of ['user-service', 'user-creator']) {
      expect(env(client)).toContainEqual({ name: 'USER_CREATIONS_QUEUE', value: USER_CREATIONS_QUEUE });
      expect(env(client).find((e) => e.name === 'USER_CREATIONS_URL')?.value).toMatch(
        /^amqp:\/\/\$\(USER_CREATIONS_USER\):\$\(USER_CREATIONS_PASSWORD\)@rabbitmq\.messaging-platform\.svc\.cluster\.local:5672\//,
      );
    }
    expect(find(objects, 'ScaledObject', 'user-creator').spec).toMatchObject({
      minReplicaCount: 1,
      maxReplicaCount: 10,
      triggers: [
        { type: 'rabbitmq', metadata: { queueName: USER_CREATIONS_QUEUE, value: String(USER_CREATIONS_PER_REPLICA) } },
      ],
    });
    expect(objects.some((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'user-creator')).toBe(false);
  });

  test('the podinfo stand-ins of load-generator and message-service forward POST /api/echo to user-service', () => {
    for (const name of ['load-generator', 'message-service']) {
      const args = find(objects, 'Deployment', name).spec.template.spec.containers[0].args as string[];
      expect(args.filter((a) => a.startsWith('--backend-url='))).toEqual([
        '--backend-url=$(USER_SERVICE_URL)/api/echo',
      ]);
    }
  });

  test('user-service finds PostgreSQL and the Redis cache through env vars, passwords from Secrets', () => {
    const env = find(objects, 'Deployment', 'user-service').spec.template.spec.containers[0].env as Obj[];
    const value = (name: string) => env.find((e) => e.name === name);
    expect(value('DATABASE_HOST')?.value).toBe('postgres.messaging-platform.svc.cluster.local');
    expect(value('DATABASE_PASSWORD')?.valueFrom.secretKeyRef).toEqual({
      name: 'postgres-credentials',
      key: 'password',
    });
    expect(value('CACHE_HOST')?.value).toBe('redis.messaging-platform.svc.cluster.local');
    expect(value('CACHE_PASSWORD')?.valueFrom.secretKeyRef).toEqual({ name: 'redis-credentials', key: 'password' });
  });

  test('each UI and its APIs share a host through the Gateway API, under the seed’s own URL prefixes', () => {
    const routes = objects
      .filter((o) => o.kind === 'HTTPRoute' && !o.metadata.name.endsWith('-https-redirect'))
      .flatMap((r) =>
        r.spec.rules.map(
          (rule: Obj) =>
            `${r.spec.hostnames[0]}${rule.matches[0].path.value} -> ${rule.backendRefs[0].name}:${rule.backendRefs[0].port}`,
        ),
      );
    expect(routes.sort()).toEqual([
      'messaging-load.example.com/ -> load-generator-ui:8080',
      'messaging-load.example.com/load-generator -> load-generator:9898',
      'messaging.example.com/ -> message-user-ui:8080',
      'messaging.example.com/message-service -> message-service:9898',
      'messaging.example.com/user-service -> user-service:9898',
    ]);
    for (const route of objects.filter((o) => o.kind === 'HTTPRoute')) {
      const listener = route.metadata.name.endsWith('-https-redirect') ? 'http' : `https-${route.spec.hostnames[0]}`;
      expect(route.spec.parentRefs).toEqual([{ name: 'platform', namespace: 'projectcontour', sectionName: listener }]);
    }
  });

  test('routed services admit Contour (the Gateway’s proxy); the databases admit only their clients and Prometheus', () => {
    expect(namespaceSources(objects, 'message-user-ui')).toEqual(['projectcontour:8080']);
    expect(namespaceSources(objects, 'user-service')).toEqual(['monitoring:9797', 'projectcontour:9898']);
    expect(namespaceSources(objects, 'postgres')).toEqual(['monitoring:9187']);
    expect(namespaceSources(objects, 'redis')).toEqual(['monitoring:9121']);
    expect(namespaceSources(objects, 'rabbitmq')).toEqual(['keda:5672', 'monitoring:15692']);
  });

  test('Prometheus monitors every podinfo service, both database exporters and the broker', () => {
    expect(names('ServiceMonitor')).toEqual([
      'load-generator',
      'message-service',
      'postgres',
      'rabbitmq',
      'redis',
      'user-service',
    ]);
  });

  test('the dashboard charts the user creation rate in user-service’s row, beside its golden signals', () => {
    const dashboard = JSON.parse(
      find(objects, 'ConfigMap', 'messaging-platform-dashboard').data['messaging-platform.json'],
    );
    const panels = dashboard.panels as Obj[];
    const row = panels.findIndex((p) => p.type === 'row' && p.title === 'user-service (deployment)');
    const next = panels.findIndex((p, i) => i > row && p.type === 'row');
    const userService = panels.slice(row + 1, next);
    expect(userService.map((p) => p.title)).toEqual(
      expect.arrayContaining(['Request rate', 'Success rate', 'Latency', USER_CREATION_RATE.title]),
    );
    expect(userService.find((p) => p.title === USER_CREATION_RATE.title)?.targets[0].expr).toBe(
      'sum by (namespace) (rate(http_request_duration_seconds_count{namespace="messaging-platform", ' +
        'pod=~"user-service-[a-z0-9]+-[a-z0-9]+", method="POST"}[5m]))',
    );
    const loadGenerator = panels.slice(panels.findIndex((p) => p.title === 'load-generator (deployment)'));
    expect(loadGenerator.find((p) => p.title.startsWith('Requests missed'))?.targets[0].expr).toContain(
      'rate(load_generator_missed_requests_total{',
    );
  });

  test('golden-signal alerts: a rule group per workload, error rate and latency for every podinfo service', () => {
    const groups = find(objects, 'PrometheusRule', 'messaging-platform-alerts').spec.groups as Obj[];
    expect(groups.map((g) => g.name).sort()).toEqual(
      [...SERVICES, 'user-creator', 'postgres', 'rabbitmq', 'redis'].map((w) => `messaging-platform.${w}`).sort(),
    );
    for (const w of ['user-service', 'message-service', 'load-generator']) {
      const alerts = groups.find((g) => g.name === `messaging-platform.${w}`)?.rules.map((r: Obj) => r.alert);
      expect(alerts).toEqual(expect.arrayContaining(['AppHighErrorRate', 'AppHighLatency', 'AppCPUSaturated']));
    }
    const redis = groups.find((g) => g.name === 'messaging-platform.redis')?.rules.map((r: Obj) => r.alert);
    expect(redis).toContain('AppDatabaseDown');
    const rabbitmq = groups.find((g) => g.name === 'messaging-platform.rabbitmq')?.rules.map((r: Obj) => r.alert);
    expect(rabbitmq).toEqual(expect.arrayContaining(['AppQueueGrowing', 'AppQueueNoConsumers']));
    expect(rabbitmq).not.toContain('AppHighErrorRate');
  });

  test('index entry: namespace, the data Secrets, the Gateway, Prometheus and its adapter, KEDA, two hosts', () => {
    expect(chart.indexEntry('messaging-platform.k8s.yaml', 'sha256:x')).toMatchObject({
      namespace: 'messaging-platform',
      secrets: [
        { name: 'postgres-credentials', keys: ['password'], generate: true },
        { name: 'rabbitmq-credentials', keys: ['password'], generate: true },
        { name: 'redis-credentials', keys: ['password'], generate: true },
      ],
      addons: ['cert-manager', 'contour', 'gateway-api', 'keda', 'prometheus', 'prometheus-adapter'],
      stateful: [
        { kind: 'PersistentVolumeClaim', name: 'postgres-backup' },
        { kind: 'PersistentVolumeClaim', name: 'redis-backup' },
        { kind: 'StatefulSet', name: 'postgres' },
        { kind: 'StatefulSet', name: 'rabbitmq' },
        { kind: 'StatefulSet', name: 'redis' },
      ],
      hosts: ['messaging-load.example.com', 'messaging.example.com'],
    });
  });

  test('domain, replicas, images and storage class are settings, not edits', () => {
    const custom = build({
      domain: 'demo.example.org',
      storageClass: 'gp3',
      'messaging-platform/user-service/replicas': '4..40',
      'messaging-platform/load-generator/image': 'registry.example.org/load-generator:2.0.0',
    }).objects;
    expect(
      custom
        .filter((o) => o.kind === 'HTTPRoute' && !o.metadata.name.endsWith('-https-redirect'))
        .map((r) => r.spec.hostnames[0])
        .sort(),
    ).toEqual(['messaging-load.demo.example.org', 'messaging.demo.example.org']);
    const hpa = find(custom, 'HorizontalPodAutoscaler', 'user-service');
    expect(hpa.spec).toMatchObject({ minReplicas: 4, maxReplicas: 40 });
    expect(hpa.spec.metrics).toHaveLength(2);
    expect(find(custom, 'Deployment', 'load-generator').spec.template.spec.containers[0].image).toBe(
      'registry.example.org/load-generator:2.0.0',
    );
    for (const db of ['postgres', 'redis', 'rabbitmq']) {
      expect(find(custom, 'StatefulSet', db).spec.volumeClaimTemplates[0].spec.storageClassName).toBe('gp3');
    }
  });
});
