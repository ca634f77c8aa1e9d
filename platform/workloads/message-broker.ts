/**
 * `MessageBroker`: a RabbitMQ node as a StatefulSet with a retained volume, its queues declared at every start,
 * credentials generated at deploy time, and the engine's own Prometheus metrics. Producers and consumers link to
 * its queues with `publishesTo` and `consumes` (see `messaging.ts`).
 */
import type { BrokerEngine, BrokerQueue } from '../core/graph';
import type { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { serviceHost } from '../core/names';
import { parseQuantity } from '../core/quantity';
import type { Resources, ResourcesProps } from '../core/resources';
import type { SizeQuantity } from '../core/units';
import type { PropKeys } from '../core/known-props';
import { PropValidator, constructPath } from '../core/validate';
import type { MeshOptions } from '../mesh/linkerd';
import { LINKERD_OPAQUE_PORTS_ANNOTATION } from '../mesh/linkerd';
import type { BrokerPreset } from './broker-engines';
import { BROKER_ENGINES, brokerClientEnv } from './broker-engines';
import { DATABASE_UID, DEFAULT_DATABASE_NAME } from './database';
import { DATA_VOLUME, addStatefulServices, checkStatefulId, dataClaimTemplate } from './stateful-parts';
import { METRICS_PORT_NAME } from './service';
import type { Connectable } from './workload';
import type { ResolvedWorkload } from './workload-props';
import { Workload } from './workload';
import { resolveWorkloadProps } from './workload-props';

/** Volume size when none is given. */
export const DEFAULT_BROKER_STORAGE = '8Gi';
/** Server container resources when none are given. */
export const DEFAULT_BROKER_RESOURCES: Resources = {
  cpu: { request: '250m', limit: '1' },
  memory: { request: '512Mi', limit: '1Gi' },
};
/** Queue names: RabbitMQ allows any 255 bytes; these stay readable in URLs, metrics labels and variable names. */
const QUEUE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/;

/** Properties of a {@link MessageBroker}. */
export interface MessageBrokerProps {
  /** Which broker: `rabbitmq` (Kafka is not supported yet). */
  readonly engine: BrokerEngine;
  /**
   * The queues the broker declares (durable, re-declared at every start): producers and consumers may only use
   * these (`broker.queue(name)`).
   */
  readonly queues: readonly string[];
  /**
   * Size of the persistent volume (the broker's database and the messages it has not delivered): `'8Gi'` or
   * `Size.gibibytes(8)`.
   * @default '8Gi'
   */
  readonly storage?: SizeQuantity;
  /**
   * StorageClass of the volume.
   * @default the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Server image; must be the official image or one compatible with it (same user, paths and configuration).
   * @default 'rabbitmq:4.1.6'
   */
  readonly image?: string;
  /**
   * User created at first start, whose password is the `password` key of the credentials Secret.
   * @default 'app'
   */
  readonly user?: string;
  /**
   * Server container requests and limits; the memory limit also sets the broker's memory alarm (60% of it).
   * @default cpu 250m/1, memory 512Mi/1Gi
   */
  readonly resources?: ResourcesProps;
  /**
   * Linkerd proxy when the app is meshed: `false` opts the broker out, options size its proxy. In a meshed app the
   * client port is opaque (AMQP is not HTTP).
   * @default true, with the app's `meshProxy` resources
   */
  readonly mesh?: boolean | MeshOptions;
}

const MESSAGE_BROKER_PROP_KEYS: PropKeys<MessageBrokerProps> = {
  engine: true,
  queues: true,
  storage: true,
  storageClass: true,
  image: true,
  user: true,
  resources: true,
  mesh: true,
};

/** A queue of a broker, as producers, consumers and queue scaling name it (`broker.queue('orders')`). */
export interface QueueRef {
  /** The broker that declares it. */
  readonly broker: MessageBroker;
  /** The queue's name. */
  readonly name: string;
}

/**
 * A message broker as a StatefulSet of one replica (like `Database`: clustering needs peer discovery and quorum
 * queues, which this preset does not pretend to be): a headless Service for its stable identity, a client Service
 * with the AMQP port and the metrics port, a volume claim template retained when the StatefulSet is scaled down or
 * deleted, credentials as a reference to the Secret `<name>-credentials` (a random password generated at deploy
 * time, never synthesized), the engine's own health checks, and its configuration and queue definitions in the
 * ConfigMap `<name>-config`.
 *
 * Pod Security: restricted, with no exception.
 */
export class MessageBroker extends Workload implements Connectable {
  /** The engine. */
  readonly engine: BrokerEngine;
  /** The StatefulSet. */
  readonly statefulSet: k8s.KubeStatefulSet;
  /** The client Service (`<name>`): the AMQP port and the metrics port. */
  readonly service: k8s.KubeService;
  /** The headless Service (`<name>-headless`) that gives the pod its stable DNS name. */
  readonly headlessService: k8s.KubeService;
  /** The configuration and queue definitions. */
  readonly config: k8s.KubeConfigMap;
  /** Name of the credentials Secret. */
  readonly credentialsSecret: string;
  /** The user clients connect as. */
  readonly user: string;
  /** The client port. */
  readonly port: number;
  /** The declared queues, in declaration order. */
  readonly queues: readonly string[];
  private readonly preset: BrokerPreset;
  private readonly clients: readonly { name: string; producers: string[]; consumers: string[] }[];

  constructor(scope: Construct, id: string, props: MessageBrokerProps) {
    const v = new PropValidator(constructPath(scope, id));
    v.knownProps('', props, MESSAGE_BROKER_PROP_KEYS, 'MessageBroker');
    const engine = props?.engine;
    const preset =
      (typeof engine === 'string' && Object.hasOwn(BROKER_ENGINES, engine) ? BROKER_ENGINES[engine] : undefined) ??
      v.fail(
        'engine',
        `${JSON.stringify(engine)} is not supported`,
        (engine as string) === 'kafka'
          ? 'use "rabbitmq": Kafka (KRaft) is not supported yet'
          : `use one of ${Object.keys(BROKER_ENGINES).join(', ')}`,
      );
    checkStatefulId(v, id);
    if (!Array.isArray(props.queues) || props.queues.length === 0) {
      v.fail('queues', `${JSON.stringify(props.queues)} declares no queue`, 'list the queues, e.g. ["orders"]');
    }
    props.queues.forEach((q, i) => {
      if (typeof q !== 'string' || !QUEUE_NAME.test(q) || q.startsWith('amq.')) {
        v.fail(
          `queues[${i}]`,
          `${JSON.stringify(q)} is not a queue name`,
          'use letters, digits, ".", "_" and "-" (at most 100, not starting with "amq.", which RabbitMQ reserves)',
        );
      }
    });
    v.unique('queues', props.queues);
    const storage = v.size('storage', props.storage ?? DEFAULT_BROKER_STORAGE, '8Gi');
    if (parseQuantity(storage) < 2 ** 30) {
      v.fail('storage', `${JSON.stringify(storage)} is less than 1Gi`, 'give the broker at least "1Gi"');
    }
    if (props.storageClass !== undefined) v.dnsSubdomain('storageClass', props.storageClass);
    const user = props.user ?? DEFAULT_DATABASE_NAME;
    if (!/^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/.test(user)) {
      v.fail('user', `${JSON.stringify(user)} is not a valid user name`, 'use letters, digits and "_" (at most 63)');
    }
    const secret = `${id}-credentials`;
    const base = resolveWorkloadProps(
      scope,
      v,
      id,
      'broker',
      {
        image: props.image ?? preset.image,
        env: preset.env(user),
        secretEnv: { [preset.passwordEnv]: { secret, key: 'password' } },
        resources: props.resources,
        mesh: props.mesh,
      },
      {
        resources: DEFAULT_BROKER_RESOURCES,
        writablePaths: preset.writablePaths,
        runAs: { user: DATABASE_UID },
        ownSecrets: [secret],
      },
    );
    const clientPort = { name: engine, port: preset.port };
    const metricsPort = { name: METRICS_PORT_NAME, port: preset.metricsPort };
    const clients = props.queues.map((name) => ({ name, producers: [] as string[], consumers: [] as string[] }));
    const spec: ResolvedWorkload = {
      ...base,
      configFiles: [{ configMap: `${id}-config`, mountPath: preset.configPath }],
      ports: [{ ...clientPort, appProtocol: undefined }],
      clientPorts: [clientPort],
      metricsPorts: [metricsPort],
      metricsPath: preset.metricsPath,
      broker: { engine, queues: clients as readonly BrokerQueue[] },
      liveness: { exec: preset.livenessCommand },
      readiness: { exec: preset.readinessCommand },
      startup: { exec: preset.livenessCommand },
      probeTimeoutSeconds: preset.probeTimeoutSeconds,
    };

    super(scope, id, spec);
    this.engine = engine;
    this.preset = preset;
    this.clients = clients;
    this.credentialsSecret = secret;
    this.user = user;
    this.port = preset.port;
    this.queues = [...props.queues];
    this.app.requireSecret(secret, ['password'], {
      generate: true,
      description: `credentials of the ${engine} broker ${id}`,
    });
    this.app.addStateful({ kind: 'StatefulSet', name: id });
    this.app.addons('prometheus');

    const configFile = preset.config({
      memoryLimitBytes: parseQuantity(base.resources.memory.limit),
      storageBytes: parseQuantity(storage),
    });
    const definitions = preset.queueDefinitions(this.queues);
    this.config = new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: `${id}-config`, labels: this.labels },
      data: { [configFile.name]: configFile.text, [definitions.name]: definitions.text },
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
      metricsPort,
    });
    this.headlessService = services.headless;
    this.service = services.service;
    const server: k8s.Container = {
      ...this.mainContainer({
        ports: [
          { name: clientPort.name, containerPort: clientPort.port, protocol: 'TCP' },
          { name: METRICS_PORT_NAME, containerPort: metricsPort.port, protocol: 'TCP' },
        ],
        volumeMounts: [{ name: DATA_VOLUME, mountPath: preset.dataPath }],
      }),
      // The queues exist before the pod is ready, and again after any restart (a declaration is idempotent).
      lifecycle: {
        postStart: { exec: { command: preset.importCommand(`${preset.configPath}/${definitions.name}`) } },
      },
    };
    this.statefulSet = new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: { name: id, labels: this.labels },
      spec: {
        serviceName: services.headless.name,
        replicas: 1,
        selector: { matchLabels: this.selector },
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: this.podMetadata(),
          // Time to close client connections and flush queue indexes.
          spec: this.podSpec([server], { terminationGracePeriodSeconds: 60 }),
        },
        volumeClaimTemplates: [dataClaimTemplate(this.labels, storage, props.storageClass)],
      },
    });
    this.exposeExceptions(this.statefulSet);
  }

  /**
   * A declared queue, for `publishesTo`, `consumes` and queue scaling. An undeclared name is refused here, where
   * the fix goes.
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

  /** Records a producer or consumer of a queue (for its alerts and dashboard row). */
  recordClient(queue: string, role: 'producers' | 'consumers', workload: string): void {
    this.clients.find((c) => c.name === queue)?.[role].push(workload);
  }

  /** Host, port, user, password (from the Secret) and an AMQP URL of virtual host `/`, each as `<PREFIX>_...`. */
  connectionEnv(prefix: string): k8s.EnvVar[] {
    return brokerClientEnv(this.preset, {
      host: this.host,
      prefix,
      user: this.user,
      secret: this.credentialsSecret,
    });
  }

  /** The client Service's DNS name. */
  get host(): string {
    return serviceHost(this.name, this.app.namespace as string);
  }

  /** The broker's URL without credentials (what KEDA connects to, with a consumer's variables). */
  get plainUrl(): string {
    return this.preset.plainUrl(this.host);
  }
}
