import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageBroker, Service, Worker } from '../../platform';
import type { MessageBrokerProps, PlatformChartProps } from '../../platform';
import { promqlErrors } from '../observability/promql';
import type { Obj } from '../helpers';
import { find, findings, newChart, platformError, synth } from '../helpers';
import { kafkaClusterId } from '../../platform/workloads/kafka-preset';

const IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';

/** A bookshop: orders publishes to a three-broker Kafka, a worker consumes and scales on its group's lag. */
function shop(props: PlatformChartProps = {}, broker: Partial<MessageBrokerProps> = {}) {
  const chart = newChart(props);
  const kafka = new MessageBroker(chart, 'kafka', {
    engine: 'kafka',
    brokers: 3,
    queues: [{ name: 'orders', partitions: 6 }, 'audit'],
    ...broker,
  });
  const api = new Service(chart, 'orders', { image: IMAGE, port: 9898 });
  api.publishesTo(kafka.queue('orders'));
  const fulfilment = new Worker(chart, 'fulfilment', {
    image: IMAGE,
    liveness: { exec: ['true'] },
    replicas: { min: 1, max: 6, queue: kafka.queue('orders'), messagesPerReplica: 50 },
  });
  return { chart, kafka, api, fulfilment, objects: synth(chart) };
}

const envOf = (objects: Obj[], name: string): Array<{ name: string; value?: string; valueFrom?: Obj }> =>
  find(objects, 'Deployment', name).spec.template.spec.containers[0].env;
const selects = (rule: Obj, name: string) =>
  rule.from?.[0]?.podSelector?.matchLabels?.['app.kubernetes.io/name'] === name;

describe('MessageBroker (kafka)', () => {
  const { chart, objects } = shop();
  const sts = find(objects, 'StatefulSet', 'kafka');
  const pod = sts.spec.template.spec;
  const [server, exporter] = pod.containers;
  const config = find(objects, 'ConfigMap', 'kafka-config').data;

  test('runs a KRaft quorum of three pods started together, spread, with a budget of one and retained volumes', () => {
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    expect(pod.topologySpreadConstraints.map((c: Obj) => c.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
    expect(find(objects, 'PodDisruptionBudget', 'kafka').spec.maxUnavailable).toBe(1);
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(server.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/kafka/data' });
    const props = config['server.properties'];
    expect(props).toContain(
      'controller.quorum.voters=0@kafka-0.kafka-headless.shop.svc.cluster.local:9093,' +
        '1@kafka-1.kafka-headless.shop.svc.cluster.local:9093,2@kafka-2.kafka-headless.shop.svc.cluster.local:9093',
    );
    expect(props).toContain(
      'listener.security.protocol.map=CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT,REPLICATION:PLAINTEXT',
    );
    expect(props).toContain('default.replication.factor=3');
    expect(props).toContain('min.insync.replicas=2');
    expect(props).toContain('auto.create.topics.enable=false');
    expect(chart.indexEntry('x', 'y').stateful).toContainEqual({ kind: 'StatefulSet', name: 'kafka' });
  });

  test('formats its volume with the client user and a password from a Secret generated at deploy time', () => {
    expect(server.command).toEqual(['sh', '/etc/kafka/platform/start.sh']);
    expect(config['start.sh']).toContain('kafka-storage.sh format --ignore-formatted --cluster-id "$KAFKA_CLUSTER_ID"');
    expect(config['start.sh']).toContain('--add-scram "SCRAM-SHA-512=[name=$KAFKA_CLIENT_USER,');
    expect(server.env).toContainEqual({
      name: 'KAFKA_CLIENT_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'kafka-credentials', key: 'password' } },
    });
    expect(server.env).toContainEqual({ name: 'KAFKA_CLUSTER_ID', value: kafkaClusterId('shop', 'kafka') });
    expect(Buffer.from(kafkaClusterId('shop', 'kafka'), 'base64url')).toHaveLength(16);
    expect(kafkaClusterId('shop', 'kafka')).not.toBe(kafkaClusterId('other', 'kafka'));
    expect(server.env).toContainEqual({ name: 'KAFKA_HEAP_OPTS', value: '-Xms1024m -Xmx1024m' });
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(chart.indexEntry('x', 'y').secrets).toContainEqual(
      expect.objectContaining({ name: 'kafka-credentials', keys: ['password'], generate: true }),
    );
  });

  test('its start script gives each pod its own node id and advertised addresses, and refuses an unusable password', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafka-start-'));
    try {
      writeFileSync(join(dir, 'server.properties'), config['server.properties']);
      // The peers' names resolve (a stand-in getent: the script waits for it before anything else).
      mkdirSync(join(dir, 'bin'));
      writeFileSync(join(dir, 'bin', 'getent'), '#!/bin/sh\necho "$@" >> "$(dirname "$0")/asked"\n', { mode: 0o755 });
      // The script without Kafka's own commands and the topic script, the ConfigMap and /tmp in a scratch folder.
      const script = config['start.sh']
        .split('\n')
        .filter((line: string) => !line.includes('/opt/kafka/bin/') && !line.includes('topics'))
        .join('\n')
        .replaceAll('/etc/kafka/platform', dir)
        .replaceAll('/tmp/server.properties', join(dir, 'out.properties'));
      const run = (password: string) =>
        execFileSync('sh', ['-c', script], {
          env: {
            PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
            HOSTNAME: 'kafka-2',
            KAFKA_CLIENT_PASSWORD: password,
          },
          stdio: 'pipe',
        });
      run('Abc123');
      const out = readFileSync(join(dir, 'out.properties'), 'utf8');
      expect(out).toContain('node.id=2\n');
      expect(out).toContain(
        'advertised.listeners=CLIENT://kafka-2.kafka-headless.shop.svc.cluster.local:9092,' +
          'REPLICATION://kafka-2.kafka-headless.shop.svc.cluster.local:9094',
      );
      expect(out).not.toMatch(/@(NODE_ID|POD)@/);
      expect(
        readFileSync(join(dir, 'bin', 'asked'), 'utf8')
          .trim()
          .split('\n'),
      ).toEqual([0, 1, 2].map((i) => `hosts kafka-${i}.kafka-headless.shop.svc.cluster.local`));
      expect(() => run('a,b]c')).toThrow(/cannot take/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('creates the declared topics with their partitions and replicas once the quorum runs, then is ready', () => {
    // Not a postStart hook: a pod publishes no IP until its hooks end, and the quorum needs every broker's name.
    expect(server.lifecycle).toBeUndefined();
    expect(config['start.sh']).toContain(
      'sh /etc/kafka/platform/topics.sh &\nexec /opt/kafka/bin/kafka-server-start.sh',
    );
    expect(config['topics.sh'].trim().split('\n').pop()).toBe('touch /tmp/topics-declared');
    expect(server.readinessProbe.exec.command).toEqual(['test', '-e', '/tmp/topics-declared']);
    expect(server.startupProbe.tcpSocket.port).toBe(9093);
    const topics = config['topics.sh'];
    expect(topics).toContain('--create --if-not-exists --topic orders --partitions 6 --replication-factor 3');
    expect(topics).toContain('--topic audit --partitions 3 --replication-factor 3');
    expect(topics).toContain('--config min.insync.replicas=2');
    expect(topics).toContain('KAFKA_HEAP_OPTS="-Xms32m -Xmx128m"');
  });

  test('serves clients on 9092 only; its exporter beside it is what Prometheus scrapes', () => {
    expect(find(objects, 'Service', 'kafka').spec.ports).toEqual([
      { name: 'kafka', port: 9092, targetPort: 'kafka', protocol: 'TCP' },
      { name: 'http-metrics', port: 9308, targetPort: 'http-metrics', protocol: 'TCP', appProtocol: 'http' },
    ]);
    expect(server.ports.map((p: Obj) => p.containerPort)).toEqual([9092, 9093, 9094]);
    expect(exporter.image).toBe('danielqsj/kafka-exporter:v1.9.0');
    expect(exporter.args).toContain('--kafka.server=localhost:9094');
    expect(find(objects, 'ServiceMonitor', 'kafka').spec.endpoints).toEqual([
      expect.objectContaining({ port: 'http-metrics', path: '/metrics' }),
    ]);
  });

  test('passes the platform validator and the restricted profile with no exception', () => {
    expect(findings(objects)).toEqual([]);
    for (const c of [server, exporter]) {
      expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
      expect(c.resources.limits).toBeDefined();
    }
    expect(pod.securityContext).toMatchObject({ runAsUser: 1000, fsGroup: 1000 });
  });

  test('one broker: a quorum of one, replicas of one, and no budget that would block every drain', () => {
    const single = shop({}, { brokers: 1, queues: [{ name: 'orders', partitions: 6 }] }).objects;
    const props = find(single, 'ConfigMap', 'kafka-config').data['server.properties'];
    expect(props).toContain('controller.quorum.voters=0@kafka-0.kafka-headless.shop.svc.cluster.local:9093\n');
    expect(props).toContain('offsets.topic.replication.factor=1');
    expect(single.filter((o) => o.kind === 'PodDisruptionBudget').map((o) => o.metadata.name)).not.toContain('kafka');
  });
});

describe('a Kafka broker without metrics', () => {
  const { chart, objects } = shop({}, { metrics: false });

  test('runs no exporter, asks for no monitor and no broker alert, and keeps its quorum', () => {
    const sts = find(objects, 'StatefulSet', 'kafka');
    expect(sts.spec.template.spec.containers.map((c: Obj) => c.name)).toEqual(['kafka']);
    expect(find(objects, 'Service', 'kafka').spec.ports.map((p: Obj) => p.port)).toEqual([9092]);
    expect(objects.filter((o) => o.kind === 'ServiceMonitor' && o.metadata.name === 'kafka')).toEqual([]);
    const group = find(objects, 'PrometheusRule', 'shop-alerts').spec.groups.find((g: Obj) => g.name === 'shop.kafka');
    // The container alerts (cAdvisor, kube-state-metrics) stay: they need nothing of the broker.
    expect(group.rules.map((r: Obj) => r.alert)).toEqual([
      'AppCPUSaturated',
      'AppMemorySaturated',
      'AppContainerRestarting',
    ]);
    expect(chart.indexEntry('x', 'y').addons).toContain('keda');
    expect(sts.spec.replicas).toBe(3);
  });
});

describe('Kafka clients', () => {
  const { objects } = shop();

  test('get the bootstrap servers, SASL settings, credentials and topic; a consumer also its group', () => {
    const producer = envOf(objects, 'orders');
    expect(producer).toEqual(
      expect.arrayContaining([
        { name: 'ORDERS_BOOTSTRAP_SERVERS', value: 'kafka.shop.svc.cluster.local:9092' },
        { name: 'ORDERS_SECURITY_PROTOCOL', value: 'SASL_PLAINTEXT' },
        { name: 'ORDERS_SASL_MECHANISM', value: 'SCRAM-SHA-512' },
        { name: 'ORDERS_USER', value: 'app' },
        { name: 'ORDERS_PASSWORD', valueFrom: { secretKeyRef: { name: 'kafka-credentials', key: 'password' } } },
        { name: 'ORDERS_TOPIC', value: 'orders' },
      ]),
    );
    expect(producer.map((e) => e.name)).not.toContain('ORDERS_GROUP');
    expect(envOf(objects, 'fulfilment')).toContainEqual({ name: 'ORDERS_GROUP', value: 'fulfilment' });
  });

  test('reach the client port only; the brokers reach each other on the controller and replication ports', () => {
    const policy = find(objects, 'NetworkPolicy', 'kafka').spec;
    for (const client of ['orders', 'fulfilment']) {
      expect(policy.ingress.find((r: Obj) => selects(r, client)).ports).toEqual([{ port: 9092, protocol: 'TCP' }]);
    }
    const peers = [
      { port: 9093, protocol: 'TCP' },
      { port: 9094, protocol: 'TCP' },
    ];
    expect(policy.ingress.find((r: Obj) => selects(r, 'kafka')).ports).toEqual(peers);
    expect(policy.egress).toContainEqual({
      to: [
        { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/part-of': 'shop' } } },
      ],
      ports: peers,
    });
  });

  test('meshed: every broker port is opaque, and the peer ports admit the brokers’ own identity only', () => {
    const meshed = shop({ mesh: 'linkerd' }).objects;
    expect(find(meshed, 'Service', 'kafka').metadata.annotations).toEqual({
      'config.linkerd.io/opaque-ports': '9092,9093,9094',
    });
    for (const peer of ['controller', 'replication']) {
      expect(find(meshed, 'Server', `kafka-${peer}`).spec.proxyProtocol).toBe('opaque');
      expect(find(meshed, 'MeshTLSAuthentication', `kafka-${peer}`).spec.identities).toEqual([
        'kafka.shop.serviceaccount.identity.linkerd.cluster.local',
      ]);
    }
  });
});

describe('scaling on a topic’s lag', () => {
  const { chart, objects } = shop();

  test('a ScaledObject reads the consumer group’s lag through a TriggerAuthentication of its own variables', () => {
    expect(find(objects, 'ScaledObject', 'fulfilment').spec).toMatchObject({
      minReplicaCount: 1,
      maxReplicaCount: 6,
      triggers: [
        {
          type: 'kafka',
          metadata: {
            bootstrapServers: 'kafka.shop.svc.cluster.local:9092',
            consumerGroup: 'fulfilment',
            topic: 'orders',
            lagThreshold: '50',
            sasl: 'scram_sha512',
            tls: 'disable',
          },
          authenticationRef: { name: 'fulfilment-queue' },
        },
      ],
    });
    expect(find(objects, 'TriggerAuthentication', 'fulfilment-queue').spec.env).toEqual([
      { parameter: 'username', name: 'ORDERS_USER', containerName: 'fulfilment' },
      { parameter: 'password', name: 'ORDERS_PASSWORD', containerName: 'fulfilment' },
    ]);
    expect(chart.indexEntry('x', 'y').addons).toContain('keda');
    expect(find(objects, 'NetworkPolicy', 'kafka').spec.ingress).toContainEqual({
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } } }],
      ports: [{ port: 9092, protocol: 'TCP' }],
    });
  });
});

describe('alerts and dashboard of a Kafka broker', () => {
  const { objects } = shop();
  const rules = find(objects, 'PrometheusRule', 'shop-alerts').spec.groups.find(
    (g: Obj) => g.name === 'shop.kafka',
  ).rules;
  const byName = (alert: string) => rules.find((r: Obj) => r.alert === alert);

  test('fit Kafka (under-replicated partitions, a growing lag, a group with no member), not HTTP or RabbitMQ', () => {
    const names = rules.map((r: Obj) => r.alert);
    expect(names).toEqual([
      'AppCPUSaturated',
      'AppMemorySaturated',
      'AppContainerRestarting',
      'AppBrokerDown',
      'AppBrokerUnderReplicated',
      'AppQueueGrowing',
      'AppQueueNoConsumers',
    ]);
    for (const r of rules) expect([r.alert, promqlErrors(r.expr)]).toEqual([r.alert, []]);
    expect(byName('AppBrokerUnderReplicated').expr).toContain(
      'kafka_topic_partition_under_replicated_partition{namespace="shop", pod=~"kafka-[0-9]+", topic=~"orders|audit"}',
    );
    expect(byName('AppQueueGrowing').expr).toContain(
      'deriv((max by (namespace, consumergroup, topic) (kafka_consumergroup_lag_sum',
    );
    expect(byName('AppQueueGrowing').annotations.summary).toContain('topic {{ $labels.queue }} keeps growing');
    expect(byName('AppQueueNoConsumers').expr).toContain(
      'kafka_consumergroup_members{namespace="shop", pod=~"kafka-[0-9]+", consumergroup=~"fulfilment"}',
    );
    expect(byName('AppQueueNoConsumers').annotations.description).toContain('orders → orders → fulfilment');
  });

  test('chart each topic’s lag, the groups’ members and the replicas, naming producer and consumer', () => {
    const dashboard = JSON.parse(Object.values(find(objects, 'ConfigMap', 'shop-dashboard').data)[0] as string);
    const titles = dashboard.panels.map((p: Obj) => p.title);
    expect(titles).toEqual(
      expect.arrayContaining(['Consumer lag', 'Consumer group members', 'Under-replicated partitions']),
    );
    expect(titles).not.toContain('Unacknowledged');
    const lag = dashboard.panels.find((p: Obj) => p.title === 'Consumer lag');
    expect(lag.description).toContain('orders → orders → fulfilment');
    expect(lag.targets[0].legendFormat).toBe('{{topic}}');
  });
});

describe('Kafka mistakes caught at construction', () => {
  const kafka = (props: Partial<MessageBrokerProps>) => () =>
    new MessageBroker(newChart(), 'kafka', { engine: 'kafka', queues: ['orders'], ...props });

  test('a topic with more replicas than brokers', () => {
    const e = platformError(kafka({ queues: [{ name: 'orders', replicas: 3 }] }));
    expect([e.constructPath, e.prop]).toEqual(['shop/kafka', 'queues[0].replicas']);
    expect(e.message).toContain('3 is more than the 1 broker');
    expect(e.fix).toBe('lower replicas to 1, or raise brokers to 3');
  });

  test('an even quorum, a RabbitMQ cluster, partitions on a RabbitMQ queue, an exporter RabbitMQ does not need', () => {
    expect(platformError(kafka({ brokers: 2 })).fix).toBe('use 1 or 3');
    const rabbit = (props: Partial<MessageBrokerProps>) =>
      platformError(() => new MessageBroker(newChart(), 'mq', { engine: 'rabbitmq', queues: ['a'], ...props }));
    expect(rabbit({ brokers: 3 }).prop).toBe('brokers');
    expect(rabbit({ queues: [{ name: 'a', partitions: 3 }] }).fix).toBe('give the queue\'s name only: "a"');
    expect(rabbit({ exporterImage: 'x:1' }).prop).toBe('exporterImage');
  });

  test('a topic name Kafka reserves, and a consumer scaling past the partitions', () => {
    expect(platformError(kafka({ queues: ['__consumer_offsets'] })).prop).toBe('queues[0]');
    const chart = newChart();
    const broker = new MessageBroker(chart, 'kafka', { engine: 'kafka', queues: [{ name: 'orders', partitions: 2 }] });
    const e = platformError(
      () =>
        new Worker(chart, 'w', {
          image: IMAGE,
          liveness: { exec: ['true'] },
          replicas: { min: 1, max: 4, queue: broker.queue('orders') },
        }),
    );
    expect([e.prop, e.fix]).toEqual(['replicas.max', 'lower max to 2, or give the topic 4 partitions']);
  });
});
