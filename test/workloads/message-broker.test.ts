import { Testing } from 'cdk8s';
import { MessageBroker, PlatformChart, Service, Worker } from '../../platform';
import type { PlatformChartProps } from '../../platform';
import { promqlErrors } from '../observability/promql';
import type { Obj } from '../helpers';
import { find, findings, newChart, platformError, synth } from '../helpers';
import { BROKER_ENGINES } from '../../platform/workloads/broker-engines';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';
const rabbit = BROKER_ENGINES.rabbitmq;

/** An app with a broker, a producer and a consumer scaling on the queue's depth (as messaging-platform has). */
function shop(props: PlatformChartProps = {}) {
  const chart = newChart(props);
  const mq = new MessageBroker(chart, 'rabbitmq', { engine: 'rabbitmq', queues: ['user-creations', 'audit'] });
  const api = new Service(chart, 'user-service', { image: IMAGE, port: 9898 });
  api.publishesTo(mq.queue('user-creations'));
  const creator = new Worker(chart, 'user-creator', {
    image: IMAGE,
    liveness: { exec: ['true'] },
    replicas: { min: 0, max: 6, queue: mq.queue('user-creations'), messagesPerReplica: 10 },
  });
  return { chart, mq, api, creator, objects: synth(chart) };
}

const envOf = (objects: Obj[], kind: string, name: string): Array<{ name: string; value?: string }> =>
  find(objects, kind, name).spec.template.spec.containers[0].env;

describe('MessageBroker (rabbitmq)', () => {
  const { chart, objects } = shop();
  const sts = find(objects, 'StatefulSet', 'rabbitmq');
  const pod = sts.spec.template.spec;
  const server = pod.containers[0];

  test('is a one-replica StatefulSet whose volume outlives it', () => {
    expect(sts.spec.replicas).toBe(1);
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('8Gi');
    expect(server.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/rabbitmq' });
    expect(chart.indexEntry('x', 'y').stateful).toContainEqual({ kind: 'StatefulSet', name: 'rabbitmq' });
  });

  test('takes its password from a Secret generated at deploy time, never from charts-out', () => {
    expect(server.env).toContainEqual({
      name: 'RABBITMQ_DEFAULT_PASS',
      valueFrom: { secretKeyRef: { name: 'rabbitmq-credentials', key: 'password' } },
    });
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(chart.indexEntry('x', 'y').secrets).toContainEqual({
      name: 'rabbitmq-credentials',
      keys: ['password'],
      generate: true,
      description: 'credentials of the rabbitmq broker rabbitmq',
    });
  });

  test("probes with the engine's own checks and declares its queues once the node runs", () => {
    expect(server.livenessProbe.exec.command).toEqual(['rabbitmq-diagnostics', '-q', 'ping']);
    expect(server.readinessProbe.exec.command).toEqual(['rabbitmq-diagnostics', '-q', 'check_port_connectivity']);
    expect(server.readinessProbe.timeoutSeconds).toBe(rabbit.probeTimeoutSeconds);
    const hook = server.lifecycle.postStart.exec.command.join(' ');
    expect(hook).toContain('rabbitmqctl -q await_startup');
    expect(hook).toContain('import_definitions /etc/rabbitmq/conf.d/queues.json');
    const config = find(objects, 'ConfigMap', 'rabbitmq-config').data;
    expect(
      JSON.parse(config['queues.json']).queues.map((q: { name: string; durable: boolean }) => [q.name, q.durable]),
    ).toEqual([
      ['user-creations', true],
      ['audit', true],
    ]);
  });

  test('sizes its memory alarm from the container limit, not the node', () => {
    const conf = find(objects, 'ConfigMap', 'rabbitmq-config').data['10-platform.conf'];
    expect(server.resources.limits.memory).toBe('1Gi');
    expect(conf).toContain(`total_memory_available_override_value = ${2 ** 30}`);
    expect(conf).toContain('vm_memory_high_watermark.relative = 0.6');
  });

  test('serves AMQP (no appProtocol: it is not HTTP) and its own metrics, scraped per queue', () => {
    expect(find(objects, 'Service', 'rabbitmq').spec.ports).toEqual([
      { name: 'rabbitmq', port: 5672, targetPort: 'rabbitmq', protocol: 'TCP' },
      { name: 'http-metrics', port: 15692, targetPort: 'http-metrics', protocol: 'TCP', appProtocol: 'http' },
    ]);
    expect(find(objects, 'ServiceMonitor', 'rabbitmq').spec.endpoints).toEqual([
      expect.objectContaining({ port: 'http-metrics', path: '/metrics/per-object' }),
    ]);
  });

  test('passes the platform validator and the restricted profile with no exception', () => {
    expect(findings(objects)).toEqual([]);
    expect(server.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, fsGroup: 999 });
  });
});

describe('publishesTo and consumes', () => {
  const { objects } = shop();

  test('give the client an amqp:// URL, its credentials and the queue name', () => {
    const env = envOf(objects, 'Deployment', 'user-service');
    expect(env).toContainEqual({
      name: 'USER_CREATIONS_URL',
      value: 'amqp://$(USER_CREATIONS_USER):$(USER_CREATIONS_PASSWORD)@rabbitmq.shop.svc.cluster.local:5672/%2F',
    });
    expect(env).toContainEqual({ name: 'USER_CREATIONS_QUEUE', value: 'user-creations' });
    expect(env).toContainEqual({
      name: 'USER_CREATIONS_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'rabbitmq-credentials', key: 'password' } },
    });
    expect(env.some((e) => e.value?.startsWith('http://'))).toBe(false);
  });

  test("open the broker's client port only, to the producer and the consumer", () => {
    const ingress = find(objects, 'NetworkPolicy', 'rabbitmq').spec.ingress;
    const from = (name: string) =>
      ingress.find((r: Obj) => r.from[0].podSelector?.matchLabels?.['app.kubernetes.io/name'] === name);
    for (const client of ['user-service', 'user-creator']) {
      expect(from(client).ports).toEqual([{ port: 5672, protocol: 'TCP' }]);
      const egress = find(objects, 'NetworkPolicy', client).spec.egress;
      expect(egress).toContainEqual({
        to: [
          {
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'rabbitmq', 'app.kubernetes.io/part-of': 'shop' } },
          },
        ],
        ports: [{ port: 5672, protocol: 'TCP' }],
      });
    }
  });

  test('a second queue of the same broker adds its variables, not a second edge', () => {
    const { chart, mq, api } = shop();
    api.publishesTo(mq.queue('audit'));
    const out = synth(chart);
    expect(envOf(out, 'Deployment', 'user-service')).toContainEqual({ name: 'AUDIT_QUEUE', value: 'audit' });
    const toBroker = find(out, 'NetworkPolicy', 'user-service').spec.egress.filter(
      (r: Obj) => r.to[0].podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'rabbitmq',
    );
    expect(toBroker).toHaveLength(1);
  });
});

describe('scaling on the queue', () => {
  const { chart, objects } = shop();
  const scaled = find(objects, 'ScaledObject', 'user-creator');

  test('a ScaledObject reads the queue with the consumer’s own credentials, instead of a CPU HPA', () => {
    expect(scaled.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'user-creator' },
      minReplicaCount: 0,
      maxReplicaCount: 6,
      triggers: [
        {
          type: 'rabbitmq',
          metadata: {
            protocol: 'amqp',
            host: 'amqp://rabbitmq.shop.svc.cluster.local:5672/%2F',
            usernameFromEnv: 'USER_CREATIONS_USER',
            passwordFromEnv: 'USER_CREATIONS_PASSWORD',
            queueName: 'user-creations',
            mode: 'QueueLength',
            value: '10',
          },
        },
      ],
    });
    const env = envOf(objects, 'Deployment', 'user-creator').map((e) => e.name);
    expect(env).toEqual(expect.arrayContaining(['USER_CREATIONS_USER', 'USER_CREATIONS_PASSWORD']));
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler').map((o) => o.metadata.name)).toEqual([
      'user-service',
    ]);
    // The replica count is KEDA's: an apply must not reset it.
    expect(find(objects, 'Deployment', 'user-creator').spec.replicas).toBeUndefined();
  });

  test('records the keda add-on, and the broker admits its operator on the client port only', () => {
    expect(chart.indexEntry('x', 'y').addons).toContain('keda');
    const ingress = find(objects, 'NetworkPolicy', 'rabbitmq').spec.ingress;
    expect(ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } } }],
      ports: [{ port: 5672, protocol: 'TCP' }],
    });
  });

  test('keeps its disruption budget a maxUnavailable, which never holds replicas the scaler removed', () => {
    expect(find(objects, 'PodDisruptionBudget', 'user-creator').spec.maxUnavailable).toBe(1);
  });

  test('a meshed broker admits the unmeshed operator on its AMQP Server, narrowed by the NetworkPolicy', () => {
    const meshed = shop({ mesh: 'linkerd' }).objects;
    expect(find(meshed, 'Service', 'rabbitmq').metadata.annotations).toEqual({
      'config.linkerd.io/opaque-ports': '5672',
    });
    expect(find(meshed, 'AuthorizationPolicy', 'rabbitmq-rabbitmq-scrapers').spec).toMatchObject({
      targetRef: { kind: 'Server', name: 'rabbitmq-rabbitmq' },
      requiredAuthenticationRefs: [{ kind: 'NetworkAuthentication', name: 'prometheus-scrapers' }],
    });
  });
});

describe('alerts and dashboard of a broker', () => {
  const { objects } = shop();
  const groups = find(objects, 'PrometheusRule', 'shop-alerts').spec.groups;
  const broker = groups.find((g: Obj) => g.name === 'shop.rabbitmq');

  test('fit a broker (down, resource alarm, growing queue, no consumer), not HTTP', () => {
    const names = broker.rules.map((r: Obj) => r.alert);
    expect(names).toEqual(
      expect.arrayContaining(['AppBrokerDown', 'AppBrokerResourceAlarm', 'AppQueueGrowing', 'AppQueueNoConsumers']),
    );
    expect(names).not.toContain('AppHighErrorRate');
    expect(names).not.toContain('AppHighLatency');
    for (const r of broker.rules) expect([r.alert, promqlErrors(r.expr)]).toEqual([r.alert, []]);
    const unconsumed = broker.rules.find((r: Obj) => r.alert === 'AppQueueNoConsumers');
    expect(unconsumed.expr).toContain(
      'rabbitmq_queue_consumers{namespace="shop", pod=~"rabbitmq-[0-9]+", queue=~"user-creations|audit"}',
    );
    expect(unconsumed.annotations.description).toContain('user-service → user-creations → user-creator');
  });

  test("chart each queue's depth and consumers, naming producer and consumer of each queue", () => {
    const dashboard = JSON.parse(Object.values(find(objects, 'ConfigMap', 'shop-dashboard').data)[0] as string);
    const panels = dashboard.panels.filter((p: Obj) => p.type !== 'row');
    const depth = panels.find((p: Obj) => p.title === 'Queue depth (ready)');
    expect(depth.description).toContain('user-service → user-creations → user-creator');
    expect(depth.description).toContain('(none declared) → audit → (none declared)');
    expect(depth.targets[0].legendFormat).toBe('{{queue}}');
    expect(panels.map((p: Obj) => p.title)).toEqual(expect.arrayContaining(['Consumers', 'Resource alarm']));
  });
});

describe('mistakes caught at construction', () => {
  test('a queue the broker does not declare', () => {
    const { mq } = shop();
    const e = platformError(() => mq.queue('orders'));
    expect(e.constructPath).toBe('shop/rabbitmq');
    expect(e.prop).toBe('queues');
    expect(e.message).toContain('"orders"');
    expect(e.fix).toContain('add "orders" to the broker\'s queues');
  });

  test('a consumer with both CPU and queue scaling', () => {
    const { chart, mq } = shop();
    const e = platformError(
      () =>
        new Worker(chart, 'both', {
          image: IMAGE,
          liveness: { exec: ['true'] },
          replicas: { min: 1, max: 3, queue: mq.queue('audit'), cpuUtilization: 70 } as never,
        }),
    );
    expect([e.constructPath, e.prop]).toEqual(['shop/both', 'replicas.cpuUtilization']);
    expect(e.fix).toContain('scale on one signal');
  });

  test('scale to zero without a queue', () => {
    const chart = newChart();
    const e = platformError(
      () => new Service(chart, 'api', { image: IMAGE, port: 9898, replicas: { min: 0, max: 3 } }),
    );
    expect(e.prop).toBe('replicas.min');
  });

  test('a broker in another app', () => {
    const { mq } = shop();
    const other = new PlatformChart(Testing.app(), 'other', {});
    const client = new Service(other, 'api', { image: IMAGE, port: 9898 });
    const e = platformError(() => client.publishesTo(mq.queue('audit')));
    expect([e.constructPath, e.prop]).toEqual(['other/api', 'publishesTo']);
    expect(e.message).toContain('in app shop');
  });

  test('the same queue consumed twice, an unknown engine, and queue names RabbitMQ refuses', () => {
    const { chart, mq, creator } = shop();
    expect(platformError(() => creator.consumes(mq.queue('user-creations'))).message).toContain(
      'already consumes "user-creations"',
    );
    const sqs = platformError(() => new MessageBroker(chart, 'sqs', { engine: 'sqs' as never, queues: ['a'] }));
    expect([sqs.prop, sqs.fix]).toEqual(['engine', 'use one of rabbitmq, kafka']);
    expect(platformError(() => new MessageBroker(chart, 'mq2', { engine: 'rabbitmq', queues: ['amq.x'] })).prop).toBe(
      'queues[0]',
    );
    expect(platformError(() => new MessageBroker(chart, 'mq3', { engine: 'rabbitmq', queues: [] })).prop).toBe(
      'queues',
    );
  });
});
