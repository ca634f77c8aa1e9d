/**
 * `MessageBroker`: a RabbitMQ node or a Kafka (KRaft) quorum as a StatefulSet with retained volumes, its queues or
 * topics declared at every start, credentials generated at deploy time, and Prometheus metrics (RabbitMQ's own, a
 * Kafka exporter's). Producers and consumers link to its queues with `publishesTo` and `consumes` (`workload.ts`).
 */
import type { BrokerEngine, BrokerQueue } from '../core/graph';
import type { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { serviceHost } from '../core/names';
import { parseQuantity } from '../core/quantity';
import { PropValidator, constructPath } from '../core/validate';
import { PlatformChart } from '../chart';
import { LINKERD_OPAQUE_PORTS_ANNOTATION } from '../mesh/linkerd';
import type { BrokerContext, BrokerPreset } from './broker-engines';
import type { MessageBrokerProps } from './message-broker-props';
import { MESSAGE_BROKER_PROP_KEYS, brokerDefaultResources, resolveBrokerProps } from './message-broker-props';
import {
  DATA_VOLUME,
  addStatefulServices,
  checkStatefulId,
  dataClaimTemplate,
  exporterContainer,
} from './stateful-parts';
import { addPodDisruptionBudget, topologySpread } from './scaling';
import { METRICS_PORT_NAME } from './service';
import type { Connectable } from './workload';
import type { ResolvedWorkload } from './workload-props';
import { Workload } from './workload';
import { resolveWorkloadProps } from './workload-props';

// The props and defaults; their validation stays internal.
export {
  DEFAULT_BROKER_RESOURCES,
  DEFAULT_BROKER_STORAGE,
  DEFAULT_KAFKA_RESOURCES,
  DEFAULT_TOPIC_PARTITIONS,
} from './message-broker-props';
export type { MessageBrokerProps, TopicSpec } from './message-broker-props';

/** A queue of a broker, as producers, consumers and queue scaling name it (`broker.queue('orders')`). */
export interface QueueRef {
  /** The broker that declares it. */
  readonly broker: MessageBroker;
  /** The queue's name. */
  readonly name: string;
}

/**
 * A message broker as a StatefulSet (RabbitMQ: one node; Kafka: `brokers` pods, each broker and controller of a
 * static KRaft quorum, spread over zones and nodes, with a disruption budget of one): a headless Service for the
 * pods' stable names, a client Service with the client port and the metrics port, volume claims retained when the
 * StatefulSet is scaled down or deleted, credentials as a reference to the Secret `<name>-credentials` (a random
 * password generated at deploy time, never synthesized), health checks, and its configuration, start script and
 * queue declarations in the ConfigMap `<name>-config`.
 *
 * Pod Security: restricted, with no exception.
 */
export class MessageBroker extends Workload implements Connectable {
  /** The engine. */
  readonly engine: BrokerEngine;
  /** The StatefulSet. */
  readonly statefulSet: k8s.KubeStatefulSet;
  /** The client Service (`<name>`): the client port and the metrics port. */
  readonly service: k8s.KubeService;
  /** The headless Service (`<name>-headless`) that gives each pod its stable DNS name. */
  readonly headlessService: k8s.KubeService;
  /** The configuration and queue declarations. */
  readonly config: k8s.KubeConfigMap;
  /** The disruption budget of a Kafka quorum of several brokers. */
  readonly disruptionBudget?: k8s.KubePodDisruptionBudget;
  /** Name of the credentials Secret. */
  readonly credentialsSecret: string;
  /** The user clients connect as. */
  readonly user: string;
  /** The client port. */
  readonly port: number;
  /** Broker pods. */
  readonly brokers: number;
  /** The declared queues (topics), in declaration order. */
  readonly queues: readonly string[];
  private readonly preset: BrokerPreset;
  private readonly clients: readonly BrokerQueue[];

  constructor(scope: Construct, id: string, props: MessageBrokerProps) {
    const v = new PropValidator(constructPath(scope, id));
    v.knownProps('', props, MESSAGE_BROKER_PROP_KEYS, 'MessageBroker');
    const resolved = resolveBrokerProps(v, props);
    const { engine, preset, brokers, storage, user, metrics } = resolved;
    checkStatefulId(v, id);
    const secret = `${id}-credentials`;
    const base = resolveWorkloadProps(
      scope,
      v,
      id,
      'broker',
      {
        image: props.image ?? preset.image,
        secretEnv: { [preset.passwordEnv]: { secret, key: 'password' } },
        resources: props.resources,
        mesh: props.mesh,
      },
      {
        resources: brokerDefaultResources(engine),
        writablePaths: preset.writablePaths,
        runAs: { user: preset.uid },
        ownSecrets: [secret],
      },
    );
    const clientPort = { name: engine, port: preset.port };
    const metricsPort = { name: METRICS_PORT_NAME, port: preset.metricsPort };
    const clients = resolved.queues.map((q) => ({ ...q, producers: [] as string[], consumers: [] as string[] }));
    const c: BrokerContext = {
      id,
      namespace: PlatformChart.of(scope).namespace as string,
      brokers,
      user,
      memoryLimitBytes: parseQuantity(base.resources.memory.limit),
      storageBytes: parseQuantity(storage),
      queues: clients,
      configPath: preset.configPath,
    };
    const spec: ResolvedWorkload = {
      ...base,
      env: { ...preset.env(c), ...base.env },
      command: preset.command?.(c),
      configFiles: [{ configMap: `${id}-config`, mountPath: preset.configPath }],
      ports: [clientPort, ...preset.peerPorts].map((p) => ({ ...p, appProtocol: undefined })),
      clientPorts: [clientPort],
      peerPorts: preset.peerPorts,
      metricsPorts: metrics ? [metricsPort] : [],
      metricsPath: metrics ? preset.metricsPath : undefined,
      broker: { engine, queues: clients, brokers },
      ...preset.probes,
      probeTimeoutSeconds: preset.probeTimeoutSeconds,
    };

    super(scope, id, spec);
    this.engine = engine;
    this.preset = preset;
    this.clients = clients;
    this.credentialsSecret = secret;
    this.user = user;
    this.port = preset.port;
    this.brokers = brokers;
    this.queues = clients.map((q) => q.name);
    this.app.requireSecret(secret, ['password'], {
      generate: true,
      description: `credentials of the ${engine} broker ${id}`,
    });
    this.app.addStateful({ kind: 'StatefulSet', name: id });
    if (metrics) this.app.addons('prometheus');

    this.config = new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: `${id}-config`, labels: this.labels },
      data: Object.fromEntries(preset.files(c).map((f) => [f.name, f.text])),
    });
    const opaque = this.opaquePorts.length
      ? { [LINKERD_OPAQUE_PORTS_ANNOTATION]: this.opaquePorts.join(',') }
      : undefined;
    const services = addStatefulServices(this, {
      id,
      labels: this.labels,
      selector: this.selector,
      annotations: opaque,
      clientPort,
      metricsPort: metrics ? metricsPort : undefined,
    });
    this.headlessService = services.headless;
    this.service = services.service;
    const server: k8s.Container = {
      ...this.mainContainer({
        ports: [clientPort, ...preset.peerPorts, ...(metrics && !preset.exporter ? [metricsPort] : [])].map((p) => ({
          name: p.name,
          containerPort: p.port,
          protocol: 'TCP',
        })),
        volumeMounts: [{ name: DATA_VOLUME, mountPath: preset.dataPath }],
      }),
      // The queues exist before the pod is ready, and again after any restart (a declaration is idempotent).
      ...(preset.declareQueues ? { lifecycle: { postStart: { exec: { command: preset.declareQueues(c) } } } } : {}),
    };
    const exporterImage = resolved.exporterImage;
    const exporter =
      exporterImage &&
      exporterContainer({ image: exporterImage, port: preset.metricsPort, args: preset.exporter?.args(c) });
    const containers = [server, ...(exporter ? [exporter] : [])];
    this.statefulSet = new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: { name: id, labels: this.labels },
      spec: {
        serviceName: services.headless.name,
        replicas: brokers,
        selector: { matchLabels: this.selector },
        podManagementPolicy: preset.podManagementPolicy,
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: this.podMetadata(),
          // Time to close client connections and flush queue indexes (Kafka: move partition leaders away).
          spec: this.podSpec(containers, {
            terminationGracePeriodSeconds: 60,
            topologySpreadConstraints: brokers > 1 ? topologySpread(this.selector) : undefined,
          }),
        },
        volumeClaimTemplates: [dataClaimTemplate(this.labels, storage, props.storageClass)],
      },
    });
    if (brokers > 1) this.disruptionBudget = addPodDisruptionBudget(this, id, this.labels, this.selector);
    this.exposeExceptions(this.statefulSet);
  }

  /**
   * A declared queue (Kafka: topic), for `publishesTo`, `consumes` and queue scaling. An undeclared name is
   * refused here, where the fix goes.
   */
  queue(name: string): QueueRef {
    if (!this.queues.includes(name)) {
      new PropValidator(this.node.path).fail(
        'queues',
        `does not declare ${JSON.stringify(name)} (declared: ${this.queues.join(', ')})`,
        `add ${JSON.stringify(name)} to the broker's queues, or use a declared one`,
      );
    }
    return { broker: this, name };
  }

  /** A declared queue as the graph sees it (partitions and replicas of a Kafka topic included). */
  declared(name: string): BrokerQueue | undefined {
    return this.clients.find((q) => q.name === name);
  }

  /** Records a producer or consumer of a queue (for its alerts and dashboard row). */
  recordClient(queue: string, role: 'producers' | 'consumers', workload: string): void {
    (this.declared(queue)?.[role] as string[] | undefined)?.push(workload);
  }

  /**
   * A client's variables, each `<PREFIX>_...`: RabbitMQ: host, port, user, password (from the Secret) and an AMQP
   * URL of virtual host `/`; Kafka: bootstrap servers, user, password and the SASL settings. With `queue`, its name
   * (`_QUEUE` or `_TOPIC`); with `consumerGroup` (Kafka consumers), `_GROUP`.
   */
  connectionEnv(prefix: string, queue?: string, consumerGroup?: string): k8s.EnvVar[] {
    const word = this.preset.queueWord.toUpperCase();
    return [
      ...this.preset.clientEnv({ host: this.host, prefix, user: this.user, secret: this.credentialsSecret }),
      ...(queue ? [{ name: `${prefix}_${word}`, value: queue }] : []),
      ...(consumerGroup && this.preset.partitioned ? [{ name: `${prefix}_GROUP`, value: consumerGroup }] : []),
    ];
  }

  /** The client Service's DNS name. */
  get host(): string {
    return serviceHost(this.name, this.app.namespace as string);
  }

  /** Where KEDA connects: a URL without credentials (RabbitMQ) or the bootstrap servers (Kafka). */
  get scalerAddress(): string {
    return this.preset.scalerAddress(this.host);
  }
}
