import { meetings, TELEGRAM_SECRET } from '../../apps/meetings';
import type { Obj } from '../helpers';
import { find, findings } from '../helpers';
import { buildApp } from './build';
import { egressPeers, envOf, ingressPeers } from './network';

const build = (context: Record<string, string> = {}) => buildApp(meetings, context);
const { chart, objects, names } = build();

const TEMPO = 'monitoring/app.kubernetes.io/instance=tempo,app.kubernetes.io/name=tempo:4317';
const PROMETHEUS = 'monitoring/app.kubernetes.io/name=prometheus';

describe('meetings', () => {
  test('runs web, api-gateway, auth and scheduler as services, the bot as a worker, MongoDB and Redis as StatefulSets', () => {
    expect(names('Deployment')).toEqual(expect.arrayContaining(['api-gateway', 'auth', 'bot', 'scheduler', 'web']));
    expect(names('Service')).toEqual([
      'api-gateway',
      'auth',
      'mongodb',
      'mongodb-headless',
      'redis',
      'redis-headless',
      'scheduler',
      'web',
    ]);
    expect(names('StatefulSet')).toEqual(expect.arrayContaining(['mongodb', 'redis']));
    expect(find(objects, 'StatefulSet', 'mongodb').spec.template.spec.containers[0].image).toMatch(/^mongo:/);
    expect(find(objects, 'StatefulSet', 'redis').spec.template.spec.containers[0].image).toMatch(/^redis:/);
  });

  test('every object validates against the Kubernetes and CRD schemas and the policy rules', () => {
    expect(findings(objects)).toEqual([]);
  });

  test('one host through the Gateway API: / to web, /api to the API gateway, nothing to the bot', () => {
    const routes = objects.filter(
      (o) =>
        ['HTTPRoute', 'GRPCRoute', 'Ingress', 'HTTPProxy'].includes(o.kind) &&
        !o.metadata.name.endsWith('-https-redirect'),
    );
    expect(routes.map((r) => r.kind)).toEqual(['HTTPRoute']);
    const [route] = routes;
    expect(route.spec.hostnames).toEqual(['meetings.example.com']);
    expect(
      route.spec.rules.map((r: Obj) => [r.matches[0].path.value, r.backendRefs.map((b: Obj) => b.name).join()]),
    ).toEqual([
      ['/', 'web'],
      ['/api', 'api-gateway'],
    ]);
  });

  test('the API gateway is the single entry point: only it (and the bot through it) reaches auth and scheduler', () => {
    expect(ingressPeers(objects, 'api-gateway')).toEqual(['bot:9898', `${PROMETHEUS}:9797`, 'projectcontour/*:9898']);
    for (const service of ['auth', 'scheduler']) {
      expect(ingressPeers(objects, service)).toEqual(['api-gateway:9898', `${PROMETHEUS}:9797`]);
    }
    expect(ingressPeers(objects, 'web')).toEqual(['projectcontour/*:8080']);
  });

  test('the rate limiter’s Redis admits only the API gateway; MongoDB only auth and scheduler', () => {
    expect(ingressPeers(objects, 'redis')).toEqual(['api-gateway:6379', `${PROMETHEUS}:9121`, 'redis-backup:6379']);
    expect(ingressPeers(objects, 'mongodb')).toEqual([
      'auth:27017',
      'mongodb-backup:27017',
      `${PROMETHEUS}:9216`,
      'scheduler:27017',
    ]);
    const gateway = envOf(objects, 'api-gateway');
    expect(gateway).toMatchObject({
      RATE_LIMITER_REDIS_HOST: 'redis.meetings.svc.cluster.local',
      RATE_LIMITER_REDIS_PASSWORD: { secretKeyRef: { name: 'redis-credentials', key: 'password' } },
      AUTH_SERVICE_URL: 'http://auth.meetings.svc.cluster.local:9898',
      SCHEDULER_SERVICE_URL: 'http://scheduler.meetings.svc.cluster.local:9898',
      RATE_LIMIT_PER_MINUTE: '60',
    });
    // The podinfo stand-in forwards what it receives to both, so a request's trace spans the three services.
    expect(find(objects, 'Deployment', 'api-gateway').spec.template.spec.containers[0].args).toEqual(
      expect.arrayContaining([
        '--backend-url=$(AUTH_SERVICE_URL)/api/echo',
        '--backend-url=$(SCHEDULER_SERVICE_URL)/api/echo',
      ]),
    );
  });

  test('each workload may open connections only to its dependencies and Tempo', () => {
    expect(egressPeers(objects, 'api-gateway')).toEqual(['auth:9898', TEMPO, 'redis:6379', 'scheduler:9898']);
    expect(egressPeers(objects, 'auth')).toEqual(['mongodb:27017', TEMPO]);
    expect(egressPeers(objects, 'scheduler')).toEqual(['mongodb:27017', TEMPO]);
    expect(egressPeers(objects, 'web')).toEqual([]);
  });

  test('the bot has no port, no Service and no route; it calls the API gateway and, outbound only, Telegram on 443', () => {
    const pod = find(objects, 'Deployment', 'bot').spec.template.spec;
    expect(pod.containers[0].ports).toEqual([{ name: 'http-metrics', containerPort: 9797, protocol: 'TCP' }]);
    expect(ingressPeers(objects, 'bot')).toEqual([`${PROMETHEUS}:9797`]);
    expect(egressPeers(objects, 'bot')).toEqual(['0.0.0.0/0:443', '::/0:443', 'api-gateway:9898', TEMPO]);
    const internet = find(objects, 'NetworkPolicy', 'bot').spec.egress.find((r: Obj) => r.to[0].ipBlock);
    expect(internet.to[0].ipBlock.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '169.254.0.0/16']));
    expect(envOf(objects, 'bot').TELEGRAM_TOKEN).toEqual({
      secretKeyRef: { name: TELEGRAM_SECRET, key: 'token' },
    });
    expect(find(objects, 'Deployment', 'bot').spec.replicas).toBe(1);
  });

  test('traces: the gateway, auth, scheduler and bot export OTLP to Tempo under their own names; web does not', () => {
    for (const name of ['api-gateway', 'auth', 'scheduler', 'bot']) {
      expect(envOf(objects, name)).toMatchObject({
        OTEL_SERVICE_NAME: name,
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo.monitoring.svc.cluster.local:4317',
        OTEL_TRACES_EXPORTER: 'otlp',
      });
      expect(find(objects, 'Deployment', name).spec.template.spec.containers[0].args).toContain(
        '--otel-service-name=$(OTEL_SERVICE_NAME)',
      );
    }
    expect(Object.keys(envOf(objects, 'web')).filter((k) => k.startsWith('OTEL_'))).toEqual([]);
  });

  test('metrics: a monitor for every podinfo workload and both database exporters', () => {
    expect(names('ServiceMonitor')).toEqual(['api-gateway', 'auth', 'mongodb', 'redis', 'scheduler']);
    expect(names('PodMonitor')).toEqual(['bot']);
  });

  test('alerts and a per-service dashboard: a rule group and a dashboard row for every workload', () => {
    const workloads = ['api-gateway', 'auth', 'bot', 'mongodb', 'redis', 'scheduler', 'web'];
    const groups = find(objects, 'PrometheusRule', 'meetings-alerts').spec.groups as Obj[];
    expect(groups.map((g) => g.name as string).sort()).toEqual(workloads.map((w) => `meetings.${w}`));
    const gatewayAlerts = groups.find((g) => g.name === 'meetings.api-gateway')?.rules.map((r: Obj) => r.alert);
    expect(gatewayAlerts).toEqual(expect.arrayContaining(['AppHighErrorRate', 'AppHighLatency']));
    const dashboard = find(objects, 'ConfigMap', 'meetings-dashboard');
    expect(dashboard.metadata.labels.grafana_dashboard).toBe('1');
    const rows = (JSON.parse(dashboard.data['meetings.json'] as string).panels as Obj[])
      .filter((p) => p.type === 'row')
      .map((p) => (p.title as string).split(' ')[0]);
    expect(rows.sort()).toEqual(workloads);
  });

  test('stateless services autoscale; the bot stays at one replica', () => {
    expect(names('HorizontalPodAutoscaler')).toEqual(['api-gateway', 'auth', 'scheduler', 'web']);
    expect(find(objects, 'HorizontalPodAutoscaler', 'api-gateway').spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 10,
    });
  });

  test('index entry: namespace, the Telegram Secret from config, generated database credentials, add-ons, host', () => {
    expect(chart.indexEntry('meetings.k8s.yaml', '')).toMatchObject({
      namespace: 'meetings',
      secrets: [
        { name: TELEGRAM_SECRET, keys: ['token'], generate: false },
        { name: 'mongodb-credentials', keys: ['password'], generate: true },
        { name: 'redis-credentials', keys: ['password'], generate: true },
      ],
      addons: expect.arrayContaining(['gateway-api', 'loki', 'prometheus', 'tempo']),
      hosts: ['meetings.example.com'],
      stateful: [
        { kind: 'PersistentVolumeClaim', name: 'mongodb-backup' },
        { kind: 'PersistentVolumeClaim', name: 'redis-backup' },
        { kind: 'StatefulSet', name: 'mongodb' },
        { kind: 'StatefulSet', name: 'redis' },
      ],
    });
  });

  test('domain, images, replicas and storage class come from settings', () => {
    const { objects: custom } = build({
      domain: 'demo.example.org',
      storageClass: 'fast',
      'meetings/api-gateway/image': 'registry.example.org/meetings/gateway:2.0.0',
      'meetings/scheduler/replicas': '3..12',
    });
    expect(custom.find((o) => o.kind === 'HTTPRoute')?.spec.hostnames).toEqual(['meetings.demo.example.org']);
    expect(find(custom, 'Deployment', 'api-gateway').spec.template.spec.containers[0].image).toBe(
      'registry.example.org/meetings/gateway:2.0.0',
    );
    expect(find(custom, 'HorizontalPodAutoscaler', 'scheduler').spec).toMatchObject({
      minReplicas: 3,
      maxReplicas: 12,
    });
    expect(find(custom, 'StatefulSet', 'mongodb').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('fast');
  });
});
