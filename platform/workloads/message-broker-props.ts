/**
 * The props of `MessageBroker`, their defaults and their validation: every mistake is refused at construction,
 * naming the prop, the value and the fix.
 */
import type { BrokerEngine } from '../core/graph';
import { parseQuantity } from '../core/quantity';
import type { Resources, ResourcesProps } from '../core/resources';
import type { SizeQuantity } from '../core/units';
import type { PropKeys } from '../core/known-props';
import type { PropValidator } from '../core/validate';
import type { MeshOptions } from '../mesh/linkerd';
import type { BrokerPreset } from './broker-engines';
import { BROKER_ENGINES } from './broker-engines';
import { DEFAULT_DATABASE_NAME } from './database';

/** Volume size when none is given. */
export const DEFAULT_BROKER_STORAGE = '8Gi';
/** RabbitMQ's server container resources when none are given. */
export const DEFAULT_BROKER_RESOURCES: Resources = {
  cpu: { request: '250m', limit: '1' },
  memory: { request: '512Mi', limit: '1Gi' },
};
/** Kafka's server container resources when none are given (half the memory limit is its heap). */
export const DEFAULT_KAFKA_RESOURCES: Resources = {
  cpu: { request: '500m', limit: '2' },
  memory: { request: '1Gi', limit: '2Gi' },
};
/** A Kafka topic's partitions when none are given. */
export const DEFAULT_TOPIC_PARTITIONS = 3;
/** Queue names: the engines allow more; these stay readable in URLs, metrics labels and variable names. */
const QUEUE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/;

/** A Kafka topic with its partitions and replicas (RabbitMQ queues are names only). */
export interface TopicSpec {
  /** Topic name. */
  readonly name: string;
  /**
   * Partitions: the most consumers of one group that get messages (a consumer scaling on the topic's lag may not
   * ask for more replicas).
   * @default 3
   */
  readonly partitions?: number;
  /**
   * Replication factor: at most `brokers`.
   * @default 3, or `brokers` when fewer
   */
  readonly replicas?: number;
}

/** Properties of a {@link MessageBroker}. */
export interface MessageBrokerProps {
  /** Which broker: `rabbitmq` (one node) or `kafka` (KRaft, every pod broker and controller). */
  readonly engine: BrokerEngine;
  /**
   * The queues (Kafka: topics) the broker declares at every start: producers and consumers may only use these
   * (`broker.queue(name)`). Kafka topics may give their partitions and replicas.
   */
  readonly queues: readonly (string | TopicSpec)[];
  /**
   * Broker pods. Kafka: an odd number (its controller quorum needs a majority), at most 9; RabbitMQ: 1.
   * @default 1
   */
  readonly brokers?: number;
  /**
   * Size of each broker's persistent volume (the messages it has not delivered; Kafka: its retained log): `'8Gi'`
   * or `Size.gibibytes(8)`.
   * @default '8Gi'
   */
  readonly storage?: SizeQuantity;
  /**
   * StorageClass of the volumes.
   * @default the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Server image; must be the official image or one compatible with it (same user, paths and configuration).
   * @default 'rabbitmq:4.1.6' or 'apache/kafka:4.1.1'
   */
  readonly image?: string;
  /**
   * Kafka's metrics exporter image (RabbitMQ has its own endpoint).
   * @default 'danielqsj/kafka-exporter:v1.9.0'
   */
  readonly exporterImage?: string;
  /**
   * Serve Prometheus metrics (RabbitMQ's own endpoint, Kafka's exporter sidecar), with the broker's alerts and
   * dashboard row.
   * @default true
   */
  readonly metrics?: boolean;
  /**
   * User created at first start, whose password is the `password` key of the credentials Secret.
   * @default 'app'
   */
  readonly user?: string;
  /**
   * Server container requests and limits; the memory limit also sets RabbitMQ's memory alarm (60% of it) and
   * Kafka's heap (half of it).
   * @default RabbitMQ cpu 250m/1, memory 512Mi/1Gi; Kafka cpu 500m/2, memory 1Gi/2Gi
   */
  readonly resources?: ResourcesProps;
  /**
   * Linkerd proxy when the app is meshed: `false` opts the broker out, options size its proxy. In a meshed app the
   * broker's ports are opaque (AMQP and Kafka are not HTTP).
   * @default true, with the app's `meshProxy` resources
   */
  readonly mesh?: boolean | MeshOptions;
}

export const MESSAGE_BROKER_PROP_KEYS: PropKeys<MessageBrokerProps> = {
  engine: true,
  queues: true,
  brokers: true,
  storage: true,
  storageClass: true,
  image: true,
  exporterImage: true,
  metrics: true,
  user: true,
  resources: true,
  mesh: true,
};

const TOPIC_SPEC_KEYS: PropKeys<TopicSpec> = { name: true, partitions: true, replicas: true };

/** The props after validation. */
export interface ResolvedBrokerProps {
  readonly engine: BrokerEngine;
  readonly preset: BrokerPreset;
  readonly brokers: number;
  readonly queues: readonly { readonly name: string; readonly partitions?: number; readonly replicas?: number }[];
  readonly storage: string;
  readonly user: string;
  readonly metrics: boolean;
  readonly exporterImage?: string;
}

/** Validates the props that are the broker's own (the workload's are validated by `resolveWorkloadProps`). */
export function resolveBrokerProps(v: PropValidator, props: MessageBrokerProps): ResolvedBrokerProps {
  const engine = props?.engine;
  const preset =
    (typeof engine === 'string' && Object.hasOwn(BROKER_ENGINES, engine) ? BROKER_ENGINES[engine] : undefined) ??
    v.fail(
      'engine',
      `${JSON.stringify(engine)} is not supported`,
      `use one of ${Object.keys(BROKER_ENGINES).join(', ')}`,
    );
  const brokers = v.integer('brokers', props.brokers ?? 1, 1, preset.maxBrokers);
  if (preset.maxBrokers === 1 && brokers !== 1) {
    v.fail('brokers', `${brokers} is more than one ${engine} node`, 'use 1: this preset does not cluster');
  }
  if (brokers % 2 === 0) {
    v.fail(
      'brokers',
      `${brokers} is even: a quorum of ${brokers} survives no more failures than one of ${brokers - 1}`,
      `use ${brokers - 1} or ${brokers + 1}`,
    );
  }
  if (!Array.isArray(props.queues) || props.queues.length === 0) {
    v.fail('queues', `${JSON.stringify(props.queues)} declares no ${preset.queueWord}`, 'list them, e.g. ["orders"]');
  }
  const queues = props.queues.map((q, i) => resolveQueue(v, preset, brokers, q, `queues[${i}]`));
  v.unique(
    'queues',
    queues.map((q) => q.name),
  );
  const storage = v.size('storage', props.storage ?? DEFAULT_BROKER_STORAGE, '8Gi');
  if (parseQuantity(storage) < 2 ** 30) {
    v.fail('storage', `${JSON.stringify(storage)} is less than 1Gi`, 'give the broker at least "1Gi"');
  }
  if (props.storageClass !== undefined) v.dnsSubdomain('storageClass', props.storageClass);
  const user = props.user ?? DEFAULT_DATABASE_NAME;
  if (!/^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/.test(user)) {
    v.fail('user', `${JSON.stringify(user)} is not a valid user name`, 'use letters, digits and "_" (at most 63)');
  }
  if (props.exporterImage !== undefined && !preset.exporter) {
    v.fail('exporterImage', `is given for ${engine}, which serves its own metrics`, 'remove exporterImage');
  }
  const metrics = props.metrics ?? true;
  if (typeof metrics !== 'boolean')
    v.fail('metrics', `${JSON.stringify(metrics)} is not a boolean`, 'use true or false');
  const exporterImage =
    metrics && preset.exporter ? v.image('exporterImage', props.exporterImage ?? preset.exporter.image) : undefined;
  return { engine, preset, brokers, queues, storage, user, metrics, exporterImage };
}

function resolveQueue(
  v: PropValidator,
  preset: BrokerPreset,
  brokers: number,
  queue: string | TopicSpec,
  prop: string,
): ResolvedBrokerProps['queues'][number] {
  const spec = typeof queue === 'object' && queue !== null ? queue : undefined;
  const name = spec ? spec.name : queue;
  const namePath = spec ? `${prop}.name` : prop;
  if (typeof name !== 'string' || !QUEUE_NAME.test(name) || name.startsWith(preset.reservedPrefix)) {
    v.fail(
      namePath,
      `${JSON.stringify(name)} is not a ${preset.queueWord} name`,
      `use letters, digits, ".", "_" and "-" (at most 100, not starting with "${preset.reservedPrefix}", which the engine reserves)`,
    );
  }
  if (!spec) return preset.partitioned ? { name, ...topicDefaults(brokers) } : { name };
  v.knownProps(prop, spec, TOPIC_SPEC_KEYS, preset.queueWord);
  if (!preset.partitioned) {
    if (spec.partitions !== undefined || spec.replicas !== undefined) {
      v.fail(prop, 'gives partitions or replicas to a RabbitMQ queue', `give the queue's name only: "${name}"`);
    }
    return { name };
  }
  const defaults = topicDefaults(brokers);
  const partitions = v.integer(`${prop}.partitions`, spec.partitions ?? defaults.partitions, 1, 1000);
  const replicas = v.integer(`${prop}.replicas`, spec.replicas ?? defaults.replicas, 1, 9);
  if (replicas > brokers) {
    v.fail(
      `${prop}.replicas`,
      `${replicas} is more than the ${brokers} broker${brokers === 1 ? '' : 's'} that could hold them`,
      `lower replicas to ${brokers}, or raise brokers to ${replicas % 2 ? replicas : replicas + 1}`,
    );
  }
  return { name, partitions, replicas };
}

function topicDefaults(brokers: number): { partitions: number; replicas: number } {
  return { partitions: DEFAULT_TOPIC_PARTITIONS, replicas: Math.min(3, brokers) };
}

/** The server container's default resources of an engine. */
export function brokerDefaultResources(engine: BrokerEngine): Resources {
  return engine === 'kafka' ? DEFAULT_KAFKA_RESOURCES : DEFAULT_BROKER_RESOURCES;
}
